import { html, SafeHtml } from './html.js';

const style = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{background:#1d232b;color:#fff;padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header form{margin-left:auto}header input{padding:.3rem .5rem;border-radius:4px;border:0;width:16rem}
main{max-width:72rem;margin:1.5rem auto;padding:0 1.5rem;display:grid;grid-template-columns:minmax(0,1fr) 20rem;gap:1.5rem}
main.wide{grid-template-columns:minmax(0,1fr)}
@media (max-width:800px){main{grid-template-columns:minmax(0,1fr)}}
section,aside>div{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:1rem 1.25rem;margin-bottom:1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.05rem;margin:.2rem 0 .6rem}
.muted{color:#5b6572}.badge{display:inline-block;border:1px solid #c3c9d1;border-radius:999px;padding:0 .5rem;font-size:.8rem;margin-right:.3rem}
pre:focus-visible{outline:3px solid #f59e0b}pre{background:#f0f2f5;padding:.6rem;border-radius:4px;overflow:auto;font-size:.85rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.25rem .4rem;border-bottom:1px solid #eef0f3;font-size:.9rem}
.chart rect{fill:#3b82f6}ul.packages{list-style:none;padding:0;margin:0}ul.packages li{padding:.5rem 0;border-bottom:1px solid #eef0f3}
`;

/** The page shell: header with search, then the page's own content. */
export function layout(title: string, body: SafeHtml, options: { wide?: boolean; query?: string } = {}): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Kura</title><style>${new SafeHtml(style)}</style></head>
<body><header><a href="/">Kura</a><form action="/" method="get"><input type="search" name="q" placeholder="Search packages" value="${options.query ?? ''}"></form></header>
<main class="${options.wide ? 'wide' : ''}">${body}</main></body></html>`.value;
}
