import { toGregorian, toJalaali } from 'jalaali-js';

/**
 * Prints the lunar official holidays of a Jalali year as computed from the Umm al-Qura calendar (ICU's
 * `islamic-umalqura`), in the entry format of domain/data/iran-official-holidays.json, each marked
 * `"basis": "computed"`. A starting point for a new year's data, not the data itself: Iran fixes lunar dates
 * by sighting the crescent, often a day after Umm al-Qura, and the official calendar (published by the
 * Council for Public Culture with the Geophysics Institute of the University of Tehran) decides. Compare,
 * correct, and mark what you took from the publication `"basis": "published"` (OPERATIONS.md, "Holidays").
 *
 *   node -r @swc-node/register scripts/lunar-holidays.ts 1407
 */

/** The lunar official holidays: [Hijri month, day or 'last', Persian name]. */
export const lunarOfficialHolidays: readonly [number, number | 'last', string][] = [
  [1, 9, 'تاسوعای حسینی'],
  [1, 10, 'عاشورای حسینی'],
  [2, 20, 'اربعین حسینی'],
  [2, 28, 'رحلت حضرت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)'],
  [2, 'last', 'شهادت امام رضا (ع)'],
  [3, 8, 'شهادت امام حسن عسکری (ع)'],
  [3, 17, 'میلاد حضرت رسول اکرم (ص) و امام جعفر صادق (ع)'],
  [6, 3, 'شهادت حضرت فاطمه زهرا (س)'],
  [7, 13, 'ولادت امام علی (ع)'],
  [7, 27, 'مبعث حضرت رسول اکرم (ص)'],
  [8, 15, 'ولادت حضرت قائم (عج)'],
  [9, 21, 'شهادت امام علی (ع)'],
  [10, 1, 'عید سعید فطر'],
  [10, 2, 'تعطیل به مناسبت عید سعید فطر'],
  [10, 25, 'شهادت امام جعفر صادق (ع)'],
  [12, 10, 'عید سعید قربان'],
  [12, 18, 'عید سعید غدیر خم'],
];

const ummAlQura = new Intl.DateTimeFormat('en-u-ca-islamic-umalqura', {
  timeZone: 'UTC',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
});

/** The Umm al-Qura date of a civil day given as UTC midnight. */
export function ummAlQuraDate(dayMs: number): { year: number; month: number; day: number } {
  const p: Record<string, string> = {};
  for (const x of ummAlQura.formatToParts(new Date(dayMs))) p[x.type] = x.value;
  return { year: Number(p.relatedYear ?? p.year), month: Number(p.month), day: Number(p.day) };
}

const two = (n: number) => String(n).padStart(2, '0');

/** The computed lunar holidays of Jalali year `jy`, in date order. */
export function computeLunarHolidays(
  jy: number,
): { date: string; name: string; calendar: 'lunar'; hijri: string; basis: 'computed' }[] {
  const first = toGregorian(jy, 1, 1);
  const next = toGregorian(jy + 1, 1, 1);
  const start = Date.UTC(first.gy, first.gm - 1, first.gd);
  const end = Date.UTC(next.gy, next.gm - 1, next.gd);
  const out: ReturnType<typeof computeLunarHolidays> = [];
  for (let t = start; t < end; t += 86_400_000) {
    const h = ummAlQuraDate(t);
    const isLast = ummAlQuraDate(t + 86_400_000).month !== h.month;
    for (const [month, day, name] of lunarOfficialHolidays) {
      if (month !== h.month || (day === 'last' ? !isLast : day !== h.day)) continue;
      const g = new Date(t);
      const j = toJalaali(g.getUTCFullYear(), g.getUTCMonth() + 1, g.getUTCDate());
      out.push({
        date: `${j.jy}/${two(j.jm)}/${two(j.jd)}`,
        name,
        calendar: 'lunar',
        hijri: `${h.year}/${two(h.month)}/${two(h.day)}`,
        basis: 'computed',
      });
    }
  }
  return out;
}

if (require.main === module) {
  const jy = Number(process.argv[2]);
  if (!Number.isInteger(jy) || jy < 1300 || jy > 1499) {
    console.error('usage: lunar-holidays.ts <Jalali year, e.g. 1407>');
    process.exit(2);
  }
  console.log(JSON.stringify(computeLunarHolidays(jy), null, 2));
}
