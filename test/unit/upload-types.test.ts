import { acceptAttribute, detectFileType } from '../../api/unit-pages/uploads';

/** The first bytes of an OLE2 compound file: the container of old Word and Excel files (and their macros). */
const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);

describe('Which uploaded files are accepted', () => {
  test('When an old macro-capable Word or Excel file (.doc, .xls) is uploaded, then it is refused and not offered', () => {
    for (const name of ['گزارش.doc', 'REPORT.DOC', 'آمار.xls']) expect(detectFileType(ole, name)).toBeNull();
    expect(acceptAttribute.split(',')).not.toEqual(expect.arrayContaining(['.doc']));
    expect(acceptAttribute.split(',')).not.toEqual(expect.arrayContaining(['.xls']));
  });

  test("When a file's bytes and name agree on an allowed type, then it is accepted with that type", () => {
    expect(detectFileType(Buffer.from('%PDF-1.4\n'), 'plan.pdf')).toBe('application/pdf');
    expect(detectFileType(Buffer.from('PK\u0003\u0004word/document.xml', 'latin1'), 'plan.docx')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(detectFileType(Buffer.from('%PDF-1.4\n'), 'plan.png')).toBeNull();
  });
});
