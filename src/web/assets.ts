import { createHash } from 'node:crypto';

const stylesheet = `
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
a{color:#0b57d0}
header{background:#1d232b;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
header .brand{font-size:1.1rem}
header form.search{flex:1 1 14rem;max-width:24rem}
header input[type=search]{padding:.35rem .6rem;border-radius:4px;border:0;width:100%}
header nav{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin-left:auto}
header nav form{margin:0}
header nav button{background:none;border:1px solid #8b96a3;color:#fff;border-radius:4px;padding:.2rem .6rem;font:inherit;cursor:pointer}
main{max-width:72rem;margin:1.5rem auto;padding:0 1rem;display:grid;grid-template-columns:minmax(0,1fr) 20rem;gap:1.5rem}
main.wide{grid-template-columns:minmax(0,1fr)}
@media (max-width:800px){main{grid-template-columns:minmax(0,1fr)}}
section,aside>div{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:1rem 1.25rem;margin-bottom:1rem;min-width:0}
h1{font-size:1.5rem;margin:.2rem 0;overflow-wrap:anywhere}h2{font-size:1.05rem;margin:.2rem 0 .6rem}h3{font-size:.95rem;margin:.8rem 0 .3rem}
.muted{color:#4f5965}.badge{display:inline-block;border:1px solid #aab2bc;border-radius:999px;padding:0 .5rem;font-size:.8rem;margin:0 .3rem .2rem 0;color:#1d232b;text-decoration:none}
a.badge:hover{background:#eef2f7}
pre{background:#f0f2f5;padding:.6rem;border-radius:4px;overflow:auto;font-size:.85rem;margin:.2rem 0 .6rem;white-space:pre}
.snippet{position:relative}.snippet button.copy{position:absolute;top:.3rem;right:.3rem;font-size:.75rem;padding:.1rem .5rem}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #eef0f3;font-size:.9rem;vertical-align:top;overflow-wrap:anywhere}
.table-scroll{overflow-x:auto}
table.members th,table.members td{overflow-wrap:break-word}.nowrap{white-space:nowrap}
.chart{max-width:100%;height:auto}.chart rect{fill:#3b82f6}
ul.packages{list-style:none;padding:0;margin:0}ul.packages li{padding:.5rem 0;border-bottom:1px solid #eef0f3}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{padding:.15rem 0;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.6rem 0 .2rem;overflow-wrap:anywhere}
label.check{display:flex;gap:.4rem;align-items:center;font-weight:400;margin:.2rem 0}
input[type=text],input[type=password],input[type=search],input[type=number],select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #8b96a3;border-radius:4px;max-width:100%;width:24rem}
button,.button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer;margin-top:.6rem;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#0b57d0}button.danger,.button.danger{background:#b3261e;border-color:#b3261e;color:#fff}
button.small,.button.small{margin-top:0;padding:.15rem .6rem;font-size:.85rem}
form.inline{display:inline;margin:0}form.inline button{margin-top:0;padding:.15rem .6rem;font-size:.85rem}
form.row{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:0}form.row select{width:auto}form.row button{margin-top:0;padding:.15rem .6rem;font-size:.85rem}
textarea{display:block;resize:vertical}
table.roles th,table.roles td:last-child{white-space:nowrap;overflow-wrap:normal}table.roles td:last-child{width:1%}
fieldset{border:1px solid #dde1e6;border-radius:4px;margin:.6rem 0;padding:.4rem .8rem;min-width:0}legend{font-weight:600}
.notice{border-left:4px solid #1a7f37;background:#eefbf1;padding:.6rem .9rem;margin-bottom:1rem}
.error{border-left:4px solid #b3261e;background:#fdeeee;padding:.6rem .9rem;margin-bottom:1rem}
.pager{display:flex;gap:1rem;margin-top:.6rem}
section.danger-zone{border-color:#b3261e}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;color:#1d232b;padding:.3rem .6rem;z-index:1}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.readme img{max-width:100%}.readme{overflow-wrap:anywhere}
ul.formats{list-style:none;padding:0;margin:0}ul.formats li{display:grid;grid-template-columns:8rem minmax(0,1fr) auto;gap:.2rem 1rem;align-items:baseline;padding:.4rem 0;border-bottom:1px solid #eef0f3}ul.formats code{overflow-wrap:anywhere}
@media (max-width:600px){ul.formats li{grid-template-columns:minmax(0,1fr)}}
.chart{background:#f0f2f5}
article.op{border-top:1px solid #eef0f3;padding-top:.4rem;margin-top:.8rem}.method{font-family:monospace;background:#eef2f7;border-radius:4px;padding:0 .4rem}h4{font-size:.9rem;margin:.6rem 0 .2rem}
dl.facts{margin:0}dl.facts dt{color:#4f5965;font-size:.85rem;margin-top:.5rem}dl.facts dd{margin:0;overflow-wrap:anywhere}
`;

const copyScript = `
document.querySelectorAll('.snippet').forEach(function (box) {
  var code = box.querySelector('code');
  if (!code || !navigator.clipboard) return;
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy secondary';
  button.textContent = 'Copy';
  button.setAttribute('aria-label', 'Copy to clipboard');
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(code.textContent || '').then(function () {
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    });
  });
  box.appendChild(button);
});
`;

interface Asset {
  path: string;
  type: string;
  body: string;
}

const asset = (name: string, extension: string, type: string, body: string): Asset => ({
  path: `/-/static/${name}.${createHash('sha256').update(body).digest('hex').slice(0, 12)}.${extension}`,
  type,
  body,
});

/** The page's stylesheet and its one script (copy buttons); each path names its content, so it is cached for good. */
export const assets = {
  stylesheet: asset('kura', 'css', 'text/css; charset=utf-8', stylesheet),
  copyScript: asset('copy', 'js', 'text/javascript; charset=utf-8', copyScript),
};

/**
 * What pages may load: the stylesheet and script above, images from anywhere (README badges),
 * nothing else; no framing, forms only to this site.
 */
export const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
