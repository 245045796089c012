/** The report's inline stylesheet (no external fonts or images). */
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 16px 24px 48px; max-width: 960px; color: #1b1b1b; background: #fff; }
h1 { font-size: 22px; margin: 8px 0; }
h2 { font-size: 18px; margin: 32px 0 4px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.verdict { font-weight: 600; padding: 6px 10px; border-radius: 4px; display: inline-block; }
.pass { color: #0b6b2b; }
.fail { color: #a30f15; }
.verdict.pass { background: #e3f4e8; }
.verdict.fail { background: #fbe4e4; }
.lesson { color: #444; margin: 4px 0 12px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f6f6; border: 1px solid #e2e2e2; padding: 6px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; }
ul.expectations { padding-left: 20px; margin: 6px 0; }
.side-by-side { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 8px; }
figure { margin: 8px 0; }
figcaption { font-size: 12.5px; color: #444; }
.note { color: #666; font-style: italic; }
svg.plot { display: block; max-width: 100%; height: auto; background: #fff; }
svg .axis, svg .tick { stroke: #333; stroke-width: 1; }
svg .grid { stroke: #ececec; stroke-width: 1; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .axis-label { font-size: 12px; fill: #222; }
svg .series { fill: none; stroke-linejoin: round; }
svg .marker { stroke-width: 1.2; stroke-dasharray: 4 3; }
svg .marker-failed { stroke: #a30f15; }
svg .marker-passed { stroke: #0b6b2b; }
svg .row-label { font: 11px ui-monospace, monospace; }
`;
