import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { buildRegistry } from '../domain/registry';
import { registryFileSchema, type Contact, type RegistryFile, type UnitEntry } from '../domain/registry-schema';
import { toPersianDigits } from '../lib/persian-text';

/**
 * Synthetic registries for tests and benchmarks: one province, about one county per 25 recipients, and
 * districts and agencies under each county so that the recipient count is exactly what was asked
 * (1,100 is national scale, about the number of districts in Iran; 10,000 is the stress case).
 *
 *   node -r @swc-node/register scripts/generate-registry.ts --units 1100 --out registry.json [--seed 7]
 *
 * Names are Persian, drawn from the lists below; e-mail addresses are on example.org only.
 */

const countyNames = [
  'آبسرد',
  'اشتهارد',
  'باغستان',
  'بیدگل',
  'تفرش',
  'جاسب',
  'چمستان',
  'خرمدره',
  'دلیجان',
  'رزن',
  'زرندیه',
  'سامان',
  'سردشت',
  'شازند',
  'طالقان',
  'فراهان',
  'کمیجان',
  'گلپایگان',
  'لالجین',
  'محلات',
  'نطنز',
  'نیمور',
  'هشترود',
  'ورزقان',
  'آوج',
  'بوئین‌زهرا',
  'تاکستان',
  'خمین',
  'خنداب',
  'سلطانیه',
  'طارم',
  'قیدار',
  'کوهرنگ',
  'گرمی',
  'ماهنشان',
  'میانه',
  'نمین',
  'هریس',
  'اردل',
  'بروجن',
  'خوانسار',
  'دهاقان',
  'سمیرم',
  'فریدن',
  'کوهپایه',
  'لنجان',
  'مبارکه',
  'نائین',
  'هرند',
  'ابرکوه',
];
const districtNames = [
  'کوهسار',
  'دشت‌آباد',
  'رودبار',
  'میان‌کوه',
  'قلعه‌نو',
  'چشمه‌سار',
  'خرم‌دشت',
  'نیک‌آباد',
  'حسن‌آباد',
  'امیرآباد',
  'زرین‌دشت',
  'لاله‌زار',
  'سیاه‌رود',
  'سفیدکوه',
  'باغ‌بهادران',
  'کهنه‌ده',
  'سرچشمه',
  'دهستان بالا',
  'گلستان',
  'مرغزار',
  'آبشار',
  'کوهپایه',
  'دره‌شهر',
  'شهرک نو',
  'چناران',
  'سبزدشت',
  'دولت‌آباد',
  'فیض‌آباد',
  'کلاته',
  'تپه‌سر',
  'رودشت',
  'برزک',
  'جلگه',
  'کوهدشت',
  'قشلاق',
  'ییلاق',
  'ده‌نو',
  'اسفندان',
  'ورکان',
  'خاوه',
];
const agencyKinds = [
  { key: 'EDU', name: 'آموزش و پرورش', title: 'مدیر آموزش و پرورش', mailbox: 'amoozesh' },
  { key: 'ELC', name: 'اداره برق', title: 'مدیر اداره برق', mailbox: 'bargh' },
  { key: 'TEL', name: 'مخابرات', title: 'مدیر مخابرات', mailbox: 'mokhaberat' },
  { key: 'POL', name: 'فرماندهی انتظامی', title: 'فرمانده انتظامی', mailbox: 'entezami' },
  { key: 'WTR', name: 'اداره آب و فاضلاب', title: 'مدیر آب و فاضلاب', mailbox: 'abfa' },
  { key: 'HLT', name: 'شبکه بهداشت و درمان', title: 'رئیس شبکه بهداشت و درمان', mailbox: 'behdasht' },
  { key: 'REG', name: 'اداره ثبت احوال', title: 'رئیس اداره ثبت احوال', mailbox: 'sabt' },
];
const firstNames = [
  'علی',
  'محمد',
  'حسین',
  'رضا',
  'مهدی',
  'حمید',
  'سعید',
  'مجید',
  'احمد',
  'مسعود',
  'جواد',
  'کامران',
  'بهروز',
  'فرهاد',
  'امیر',
  'ناصر',
  'یوسف',
  'هادی',
  'کاوه',
  'پرویز',
  'محسن',
  'داوود',
  'مصطفی',
  'عباس',
  'اکبر',
  'فاطمه',
  'زهرا',
  'مریم',
  'لیلا',
  'سیما',
  'ناهید',
  'مینا',
  'نرگس',
  'الهام',
  'شیرین',
  'پروانه',
];
const lastNames = [
  'احمدی',
  'محمدی',
  'حسینی',
  'رضایی',
  'کریمی',
  'موسوی',
  'جعفری',
  'قاسمی',
  'صادقی',
  'رحیمی',
  'نوروزی',
  'باقری',
  'عباسی',
  'سلیمانی',
  'طاهری',
  'یوسفی',
  'حیدری',
  'اسدی',
  'زارعی',
  'فتحی',
  'بهرامی',
  'شریفی',
  'نظری',
  'مرادی',
  'فرهادی',
  'خسروی',
  'جلالی',
  'منصوری',
  'کرمی',
  'نجفی',
  'سلطانی',
  'میرزایی',
  'آقایی',
  'قنبری',
  'یزدانی',
  'انصاری',
  'هاشمی',
  'طالبی',
  'رجبی',
  'عزیزی',
  'کاظمی‌پور',
  'حسن‌زاده',
  'امیری‌نسب',
];

/** Recipients per county the generator aims for; the real figure varies by at most one. */
export const recipientsPerCounty = 25;

/** mulberry32: tiny, fast and deterministic for a seed, which is all synthetic data needs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A synthetic registry with exactly `units` recipients (districts plus agencies), one province and
 * `max(1, round(units / 25))` counties; every county carries escalation contacts, so every unit resolves.
 * The same `units` and `seed` always give the same file.
 * @throws RangeError unless `units` is a positive integer.
 */
export function generateRegistry(units: number, seed = 1): RegistryFile {
  if (!Number.isInteger(units) || units < 1) throw new RangeError(`units must be a positive integer, got ${units}`);
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const person = () => `${pick(firstNames)} ${pick(lastNames)}`;
  // Mobiles are numbered in order, not drawn, so adding them left every name of a given seed unchanged.
  let mobiles = 0;
  const contact = (title: string, email: string): Contact => ({
    title,
    name: person(),
    email,
    mobile: `+98912${String((mobiles += 1)).padStart(7, '0')}`,
  });

  const countyCount = Math.max(1, Math.round(units / recipientsPerCounty));
  const countyWidth = Math.max(3, String(countyCount).length);
  const provinceGovernor = contact('استاندار نمونه', 'ostandar@example.org');
  const out: UnitEntry[] = [
    {
      code: 'SYN',
      name: 'استان نمونه',
      kind: 'province',
      head: provinceGovernor,
      escalation: {
        deputy: contact('معاون سیاسی، امنیتی و اجتماعی استاندار نمونه', 'ostandar.moaven@example.org'),
        governor: provinceGovernor,
      },
    },
  ];

  for (let c = 0; c < countyCount; c++) {
    // Spread the remainder over the first counties so the total is exact.
    const recipients = Math.floor(units / countyCount) + (c < units % countyCount ? 1 : 0);
    const round = Math.floor(c / countyNames.length);
    const countyName = countyNames[c % countyNames.length] + (round > 0 ? ` ${toPersianDigits(round + 1)}` : '');
    const code = `SYN-C${String(c + 1).padStart(countyWidth, '0')}`;
    const mail = code.toLowerCase();
    const governor = contact(`فرماندار ${countyName}`, `${mail}.farmandar@example.org`);
    out.push({
      code,
      name: `شهرستان ${countyName}`,
      kind: 'county',
      parent: 'SYN',
      head: governor,
      escalation: { deputy: contact(`معاون فرماندار ${countyName}`, `${mail}.moaven@example.org`), governor },
    });

    // At least one district; up to three agencies, never more than the county's share allows.
    const agencyCount = Math.min(recipients - 1, 1 + Math.floor(random() * 3));
    const districtCount = recipients - agencyCount;
    const districtWidth = Math.max(2, String(districtCount).length);
    const offset = Math.floor(random() * districtNames.length);
    for (let d = 0; d < districtCount; d++) {
      const base = d === 0 ? 'مرکزی' : districtNames[(offset + d - 1) % districtNames.length];
      const lap = d === 0 ? 0 : Math.floor((d - 1) / districtNames.length);
      const name = base + (lap > 0 ? ` ${toPersianDigits(lap + 1)}` : '');
      const dcode = `${code}-D${String(d + 1).padStart(districtWidth, '0')}`;
      out.push({
        code: dcode,
        name: `بخش ${name}`,
        kind: 'district',
        parent: code,
        // District heads read their e-mail rarely: they are told by SMS as well (issue 21).
        head: { ...contact(`بخشدار ${name}`, `${dcode.toLowerCase()}@example.org`), channels: ['email', 'sms'] },
      });
    }
    const agencyOffset = Math.floor(random() * agencyKinds.length);
    for (let a = 0; a < agencyCount; a++) {
      const kind = agencyKinds[(agencyOffset + a) % agencyKinds.length];
      out.push({
        code: `${code}-AG-${kind.key}`,
        name: `${kind.name} شهرستان ${countyName}`,
        kind: 'agency',
        parent: code,
        head: contact(`${kind.title} شهرستان ${countyName}`, `${mail}.${kind.mailbox}@example.org`),
      });
    }
  }
  return { source: `synthetic registry: ${units} recipients, seed ${seed}; names are invented`, units: out };
}

function main(): void {
  const { values } = parseArgs({
    options: { units: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string', default: '1' } },
  });
  const units = Number(values.units);
  const seed = Number(values.seed);
  if (!values.out || !Number.isInteger(units) || units < 1 || !Number.isInteger(seed)) {
    console.error('usage: generate-registry.ts --units N --out FILE.json|FILE.yaml [--seed S]');
    process.exit(2);
  }
  const t0 = performance.now();
  const file = generateRegistry(units, seed);
  const t1 = performance.now();
  // Checked before writing, so a generator bug never leaves a broken file behind.
  const registry = buildRegistry(registryFileSchema.parse(file), values.out);
  const t2 = performance.now();
  writeFileSync(values.out, /\.ya?ml$/i.test(values.out) ? toYaml(file) : `${JSON.stringify(file, null, 1)}\n`);
  const kinds = (k: string) => registry.units.filter((u) => u.kind === k).length;
  console.log(
    `wrote ${values.out}: ${registry.units.length} units (${kinds('county')} counties, ${kinds('district')} districts, ` +
      `${kinds('agency')} agencies; ${registry.recipients().length} recipients); ` +
      `generated in ${(t1 - t0).toFixed(0)} ms, validated and resolved in ${(t2 - t1).toFixed(0)} ms`,
  );
}

if (require.main === module) main();
