import type { Response } from 'express';
import { renderDirectivePage } from '../../api/dashboard/directive-page';
import type { DirectiveOverview, UnitRow } from '../../api/dashboard/directive-report';
import { persianMessage } from '../../api/dashboard/labels';
import { initialValues, readValues, toDirectiveInput, toFormField } from '../../api/dashboard/new-directive-form';
import { renderNewDirectivePage } from '../../api/dashboard/new-directive-page';
import { filterAndSort, parseUnitTableQuery } from '../../api/dashboard/unit-table';
import { neutralizeFormula } from '../../lib/csv';
import { directiveInputSchema } from '../../domain/directive-schema';
import { parseJalaliDateTime } from '../../lib/jalali';
import { loadRegistry } from '../../domain/registry';
import { findTemplate } from '../../domain/templates/election-directives';
import type { ComplianceState, DirectiveSpec, DirectiveStatus } from '../../workflows/types';

describe('The new-directive form', () => {
  test('When every template prefills the form, then the form converts to a directive the API schema accepts', () => {
    for (const id of [
      'polling-stations',
      'executive-staff',
      'electronic-equipment',
      'past-shortcomings',
      'training',
      'public-awareness',
    ]) {
      const values = { ...initialValues(findTemplate(id)), counties: ['THR-TEH'] };
      const { input, issues } = toDirectiveInput(values);
      expect(issues).toEqual([]);
      const parsed = directiveInputSchema.safeParse(input);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    }
  });

  test('When the office types Arabic-Indic digits, leaves ladder rows empty and blanks a field row, then those rows are dropped and paths map back to the rows typed', () => {
    const posted = {
      title: 'آموزش',
      body: 'متن',
      priority: 'urgent',
      targetMode: 'list',
      unit: ['THR-TEH-MRK', 'THR-REY-MRK'],
      acknowledgeBy: '١٤٩٩/٠١/١٥ ٠٩:٣٠',
      reportBy: '۱۴۹۹/۰۱/۲۰ ۱۴:۰۰',
      'remAck.0.amount': '۲',
      'remAck.0.unit': 'h',
      'esc.0.amount': '',
      'esc.1.amount': '3',
      'esc.1.unit': 'd',
      'esc.1.notify': 'deputy',
      'esc.2.amount': 'soon',
      fieldCount: '3',
      'f.0.key': '',
      'f.0.label': '',
      'f.1.key': 'sessions',
      'f.1.label': 'جلسات',
      'f.1.type': 'number',
      'f.1.required': 'on',
      'f.2.key': 'level',
      'f.2.label': 'سطح',
      'f.2.type': 'choice',
      'f.2.options': 'کم، زیاد',
    };
    const { input, issues, escIndex, fieldIndex } = toDirectiveInput(readValues(posted));
    expect(issues).toEqual([{ path: 'esc.2', message: 'must be a duration' }]);
    expect(input.acknowledgeBy).toBe(parseJalaliDateTime('1499/01/15 09:30').toISOString());
    expect(input.targets).toEqual({ mode: 'list', codes: ['THR-TEH-MRK', 'THR-REY-MRK'] });
    expect(input.reminders).toEqual({ acknowledge: ['2h'], report: [] });
    expect(input.escalation).toEqual([{ after: '3d', notify: 'deputy' }]);
    expect(input.form).toEqual([
      { key: 'sessions', label: 'جلسات', type: 'number', required: true },
      { key: 'level', label: 'سطح', type: 'choice', required: false, options: ['کم', 'زیاد'] },
    ]);
    expect(toFormField('escalation.0.after', escIndex, fieldIndex)).toBe('esc.1');
    expect(toFormField('form.1.options', escIndex, fieldIndex)).toBe('f.2.options');
    expect(toFormField('targets.codes.1', escIndex, fieldIndex)).toBe('targets');
    expect(toFormField('reminders.acknowledge.0', escIndex, fieldIndex)).toBe('remAck');
  });
});

describe('Deadlines in working time on the new-directive form', () => {
  const posted = (ack: [string, string], rep: [string, string]) => ({
    title: 'آموزش',
    body: 'متن',
    targetMode: 'all',
    acknowledgeByKind: ack[0],
    acknowledgeBy: ack[1],
    reportByKind: rep[0],
    reportBy: rep[1],
  });

  test('When the office picks 4 working hours and 3 working days in Persian digits, then the API gets them and resolves them to instants', () => {
    const { input, issues } = toDirectiveInput(readValues(posted(['workingHours', '۴'], ['workingDays', '۳'])));
    expect(issues).toEqual([]);
    expect([input.acknowledgeBy, input.reportBy]).toEqual([{ workingHours: 4 }, { workingDays: 3 }]);
    const parsed = directiveInputSchema.parse(input);
    expect(Date.parse(parsed.reportBy)).toBeGreaterThan(Date.parse(parsed.acknowledgeBy));
    expect(parsed.reportBy).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
  });

  test('When the number of working days is not a whole number, then the field says so in Persian', () => {
    const { input, issues } = toDirectiveInput(
      readValues(posted(['jalali', '1499/01/01 10:00'], ['workingDays', '2.5'])),
    );
    expect(issues).toEqual([]);
    const parsed = directiveInputSchema.safeParse(input);
    const messages = parsed.success
      ? []
      : parsed.error.issues.map((i) => `${toFormField(i.path.join('.'), [], [])}: ${persianMessage(i.message)}`);
    expect(messages).toEqual(['reportBy: تعداد روز کاری باید عددی صحیح از ۱ تا ۲۵۰ باشد']);
    expect(toDirectiveInput(readValues(posted(['workingHours', ''], ['workingDays', '3']))).issues).toEqual([
      { path: 'acknowledgeBy', message: 'is required' },
    ]);
  });

  test('When the form is shown again, then each deadline keeps the kind the office chose; a fresh form proposes dates', () => {
    const page = renderNewDirectivePage(
      { locals: { csrfToken: 'test-token' } } as unknown as Response,
      loadRegistry(),
      readValues(posted(['workingHours', '4'], ['workingDays', '3'])),
      {},
    ).value;
    expect(page).toContain('<option value="workingHours" selected>ساعت کاری</option>');
    expect(page).toContain('<option value="workingDays" selected>روز کاری</option>');
    expect(initialValues(undefined).reportByKind).toBe('jalali');
  });
});

describe('Exports', () => {
  test('When a text cell starts like a formula, then it is prefixed with a quote; other text is unchanged', () => {
    for (const t of ['=1+1', '+98', '-2', '@SUM(A1)', '\tx', '\rx']) expect(neutralizeFormula(t)).toBe(`'${t}`);
    for (const t of ['بخش مرکزی', '۱۴۰۵/۰۹/۱۰', 'a=b']) expect(neutralizeFormula(t)).toBe(t);
    // A leading right-to-left mark, other invisible marks or spaces, and full-width or small formula signs.
    for (const t of [
      '\u200f=1+1',
      '\u200e\u202b@SUM(A1)',
      '\u2067-2',
      '\ufeff+98',
      ' =1',
      '\u200b\u200f=HYPERLINK("x")',
      '＝1+1',
      '＋98',
      '－2',
      '＠SUM(A1)',
      '﹦1',
    ]) {
      expect(neutralizeFormula(t)).toBe(`'${t}`);
    }
    expect(neutralizeFormula('\u200fبخش مرکزی')).toBe('\u200fبخش مرکزی');
  });
});

const row = (code: string, name: string, countyName: string, state: ComplianceState): UnitRow => ({
  code,
  name,
  countyCode: `C-${countyName}`,
  countyName,
  summary: {
    unitCode: code,
    state,
    overdue: state === 'notified' ? 'acknowledge' : null,
    escalationLevel: 0,
    undeliverable: false,
    seq: 1,
  },
});

describe('The unit table', () => {
  const rows = [
    row('A', 'بخش مرکزی', 'شهرستان ری', 'notified'),
    row('B', 'بخش مرکزی', 'شهرستان تهران', 'reported'),
    row('C', 'بخش کن', 'شهرستان تهران', 'notified'),
  ];

  test('When the query sorts by state descending and filters overdue units, then rows follow it with county as the tie-break', () => {
    expect(filterAndSort(rows, parseUnitTableQuery({ sort: 'state', dir: 'desc' })).map((r) => r.code)).toEqual([
      'B',
      'C',
      'A',
    ]);
    expect(filterAndSort(rows, parseUnitTableQuery({ overdue: '1', sort: 'name' })).map((r) => r.code)).toEqual([
      'C',
      'A',
    ]);
    expect(filterAndSort(rows, parseUnitTableQuery({ q: 'مرکزی', county: 'C-شهرستان ری' })).map((r) => r.code)).toEqual(
      ['A'],
    );
  });

  test('When the Temporal UI address is configured, then the directive links to its workflow in the Temporal Web UI; an auditor gets no forms', () => {
    const status = {
      directiveId: '1405-000007',
      version: 1,
      state: 'open',
      total: 3,
      started: 3,
      counts: {
        notified: 2,
        acknowledged: 0,
        reported: 1,
        returned: 0,
        accepted: 0,
        exempted: 0,
        cancelled: 0,
        closed: 0,
      },
      overdue: 2,
      undeliverable: 0,
      escalations: {},
      shards: [],
    } as DirectiveStatus;
    const spec = {
      directiveId: '1405-000007',
      version: 1,
      title: 'آزمون',
      body: 'متن',
      priority: 'urgent',
      acknowledgeBy: '2026-12-01T10:00:00Z',
      reportBy: '2026-12-02T10:00:00Z',
      reminders: { acknowledge: [], report: [] },
      escalation: [],
      form: [],
      issuedBy: { kind: 'office', id: 'u1', name: 'کاربر' },
      issuedAt: '2026-11-28T10:00:00Z',
    } as unknown as DirectiveSpec;
    const overview: DirectiveOverview = {
      id: '1405-000007',
      spec,
      log: [],
      status,
      compliancePercent: 33.3,
      units: rows,
    };
    const page = renderDirectivePage({ locals: {} } as Response, {
      overview,
      rows,
      query: parseUnitTableQuery({}),
      canAct: false,
      temporalUi: 'http://ui.example.org/namespaces/default',
    }).value;
    expect(page).toContain('href="http://ui.example.org/namespaces/default/workflows/directive%3A1405-000007"');
    expect(page).not.toContain('/actions/');
    expect(page).toContain('۱۴۰۵/۰۹/۱۰');
  });
});
