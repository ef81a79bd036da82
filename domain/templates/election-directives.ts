import type { FormField, Priority } from '../directive-schema';

/**
 * A ready-made directive the office can start from: the text, the priority and the report form. Deadlines
 * are not part of a template; the form proposes them relative to the moment it is opened.
 */
export interface DirectiveTemplate {
  /** Stable, URL-safe name, used as `?template=` on the "new directive" page. */
  id: string;
  title: string;
  body: string;
  priority: Priority;
  form: FormField[];
}

/**
 * The six election-preparation directives of the Tehran county election headquarters (see
 * shared/DOMAIN.md). The standing rule "report immediately after any instruction" makes `urgent` the
 * usual priority.
 */
export const electionDirectiveTemplates: readonly DirectiveTemplate[] = [
  {
    id: 'polling-stations',
    title: 'تعیین محل استقرار صندوق‌های اخذ رأی',
    body: 'محل استقرار صندوق‌های اخذ رأی حوزه خود را تعیین کنید، همه محل‌ها را بازدید کنید و گزارش اقدامات را بلافاصله ارسال نمایید.',
    priority: 'urgent',
    form: [
      { key: 'stations', label: 'تعداد شعب اخذ رأی', type: 'number', required: true, min: 0 },
      { key: 'locations', label: 'فهرست محل‌های استقرار (فایل)', type: 'file', required: true, maxFiles: 3 },
      { key: 'inspected', label: 'همه محل‌ها بازدید شده‌اند', type: 'boolean', required: true },
      { key: 'problems', label: 'مشکلات مشاهده‌شده', type: 'text', required: false, maxLength: 5000 },
    ],
  },
  {
    id: 'executive-staff',
    title: 'ترکیب نیروهای اجرایی',
    body: 'ترکیب نیروهای اجرایی شعب (رؤسای شعب و عوامل اجرایی) را مشخص و کمبودها را اعلام کنید.',
    priority: 'urgent',
    form: [
      { key: 'branchHeads', label: 'رؤسای شعب تعیین‌شده', type: 'number', required: true, min: 0 },
      { key: 'staffAssigned', label: 'عوامل اجرایی تعیین‌شده', type: 'number', required: true, min: 0 },
      { key: 'shortfall', label: 'کمبود نیرو', type: 'number', required: true, min: 0 },
    ],
  },
  {
    id: 'electronic-equipment',
    title: 'تجهیزات انتخابات تمام‌الکترونیک',
    body: 'تجهیزات مورد نیاز برگزاری انتخابات تمام‌الکترونیک و وضعیت زیرساخت فناوری اطلاعات حوزه خود را گزارش کنید.',
    priority: 'urgent',
    form: [
      { key: 'devicesNeeded', label: 'تعداد دستگاه‌های مورد نیاز', type: 'number', required: true, min: 0 },
      { key: 'devicesAvailable', label: 'تعداد دستگاه‌های موجود', type: 'number', required: true, min: 0 },
      {
        key: 'itReadiness',
        label: 'آمادگی زیرساخت فناوری اطلاعات',
        type: 'choice',
        required: true,
        options: ['آماده', 'نیمه‌آماده', 'آماده نیست'],
      },
    ],
  },
  {
    id: 'past-shortcomings',
    title: 'کاستی‌های دوره‌های گذشته',
    body: 'کاستی‌ها و مشکلات دوره‌های گذشته انتخابات را شناسایی کنید و برنامه رفع آن‌ها را ارسال نمایید.',
    priority: 'normal',
    form: [
      { key: 'findings', label: 'کاستی‌های شناسایی‌شده', type: 'text', required: true, maxLength: 10000 },
      { key: 'remedyPlan', label: 'برنامه رفع کاستی‌ها', type: 'text', required: true, maxLength: 10000 },
      { key: 'remedyFile', label: 'پیوست برنامه (فایل)', type: 'file', required: false, maxFiles: 3 },
    ],
  },
  {
    id: 'training',
    title: 'آموزش نیروهای فنی و نمایندگان فرماندار',
    body: 'دوره‌های آموزشی نیروهای فنی و نمایندگان فرماندار در شعب اخذ رأی را برگزار و نتیجه را گزارش کنید.',
    priority: 'urgent',
    form: [
      { key: 'sessionsHeld', label: 'تعداد جلسات برگزارشده', type: 'number', required: true, min: 0 },
      { key: 'peopleTrained', label: 'تعداد افراد آموزش‌دیده', type: 'number', required: true, min: 0 },
      { key: 'lastSession', label: 'تاریخ آخرین جلسه', type: 'date', required: false },
    ],
  },
  {
    id: 'public-awareness',
    title: 'آگاهی‌بخشی عمومی',
    body: 'اقدامات آگاهی‌بخشی عمومی درباره انتخابات تمام‌الکترونیک را انجام دهید و گزارش کنید.',
    priority: 'normal',
    form: [
      { key: 'activities', label: 'اقدامات انجام‌شده', type: 'text', required: true, maxLength: 10000 },
      { key: 'estimatedReach', label: 'برآورد تعداد مخاطبان', type: 'number', required: false, min: 0 },
    ],
  },
];

/** The template with this id, or undefined. */
export function findTemplate(id: string): DirectiveTemplate | undefined {
  return electionDirectiveTemplates.find((t) => t.id === id);
}
