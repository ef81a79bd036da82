/**
 * The dashboard's stylesheet, on top of the shared `farman.css`. Kept in code rather than a static file so
 * the build needs no extra copy step. No inline styles anywhere: the CSP (`style-src 'self'`) forbids them,
 * so widths come from `<meter>` elements and classes, never from `style=""`.
 */
export const dashboardCss = `
.dash-nav { display: flex; gap: 1rem; align-items: center; }
.dash-nav form.inline { display: inline; margin: 0; }
.dash-nav button.secondary { padding: .1rem .7rem; }
form.inline { display: inline; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: .8rem; }
form.filters label { font-weight: 400; }
form.filters input[type=text], form.filters select { width: auto; min-width: 9rem; }
table.units td, table.list td { font-size: .92rem; }
table.units th a, table.list th a { color: inherit; }
tr.selected td { background: #fff8db; }
tr.overdue td:first-child { border-right: 4px solid var(--bad); }
meter.compliance { width: 8rem; height: 1rem; }
.counts { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; margin: .4rem 0; }
.counts span strong { margin-inline-start: .3rem; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.grid3 { display: grid; grid-template-columns: repeat(3, 1fr); gap: .6rem; }
@media (max-width: 1000px) { .grid2, .grid3 { grid-template-columns: 1fr; } }
details.action { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; margin: .4rem 0; background: #fff; }
details.action summary { cursor: pointer; font-weight: 700; color: var(--accent); }
details.action form { margin-top: .5rem; }
ol.timeline { margin: 0; padding-inline-start: 1.2rem; }
ol.timeline li { margin-bottom: .2rem; }
ol.timeline .when { color: var(--muted); margin-inline-end: .5rem; }
.pager { display: flex; gap: .6rem; margin: .8rem 0; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .8rem; padding: .6rem .9rem; background: #fff; }
legend { font-weight: 700; padding: 0 .3rem; }
.checks { display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; }
.checks label { font-weight: 400; }
table.builder td { padding: .2rem; }
table.builder input[type=text], table.builder select { min-width: 6rem; }
select[multiple] { min-height: 14rem; }
.hint { color: var(--muted); font-size: .88rem; font-weight: 400; }
.templates { display: flex; flex-wrap: wrap; gap: .4rem .8rem; }
.ladder-row { display: flex; gap: .4rem; align-items: center; margin-bottom: .3rem; }
.ladder-row input[type=text] { width: 6rem; }
.ladder-row select { width: auto; }
.scroll { overflow-x: auto; max-width: 100%; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .4rem; margin: .6rem 0; }
.figures .figure a { display: block; border: 1px solid var(--line); border-radius: 6px; padding: .3rem .6rem; text-decoration: none; color: var(--ink); background: #fff; }
.figures .figure strong { font-size: 1.2rem; margin-inline-end: .3rem; }
.figures .figure.bad a { border-color: var(--bad); color: var(--bad); }
table.scoreboard td, table.counties td { white-space: nowrap; }
tr.worst td { background: #fbeceb; }
tr.worst td:first-child { border-right: 4px solid var(--bad); }
@media (max-width: 600px) { header.top, .dash-nav { flex-wrap: wrap; } main { padding: .6rem; } form.filters > label { flex: 1 1 100%; } }
`;
