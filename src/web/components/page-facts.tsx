import type { PageFact } from '../../formats/contract.js';
import { countText, sizeText } from './quantities.js';

/** Where a dependency's package page is, for those this server hosts and the visitor may see. */
export type HostedPackages = ReadonlyMap<string, string>;

/** The key {@link HostedPackages} uses for a dependency's owner and name. */
export const hostedKey = (owner: string, name: string) => `${owner.toLowerCase()}\u0000${name.toLowerCase()}`;

/** A format's facts about a version, each rendered as a person reads it. */
export function PageFacts({ facts, hosted, versionHref }: { facts: readonly PageFact[]; hosted: HostedPackages; versionHref: (version: string) => string }) {
  if (facts.length === 0) return null;
  return (
    <dl class="facts">
      {facts.map((fact) => (
        <>
          <dt>{fact.label}</dt>
          <dd><FactValue fact={fact} hosted={hosted} versionHref={versionHref} /></dd>
        </>
      ))}
    </dl>
  );
}

function FactValue({ fact, hosted, versionHref }: { fact: PageFact; hosted: HostedPackages; versionHref: (version: string) => string }) {
  switch (fact.kind) {
    case 'text': return <>{fact.text}</>;
    case 'code': return <code>{fact.text}</code>;
    case 'link': return /^https?:\/\//i.test(fact.href) ? <a href={fact.href} rel="nofollow noopener noreferrer">{fact.text}</a> : <>{fact.text}</>;
    case 'size': return <>{sizeText(fact.bytes)}</>;
    case 'count': return <>{countText(fact.count)}</>;
    case 'labels':
      return <>{fact.items.map((item) => (item.version !== undefined ? <a class="badge" href={versionHref(item.version)}>{item.text}</a> : <span class="badge">{item.text}</span>))}</>;
    case 'dependencies':
      return (
        <ul class="plain">
          {fact.items.map((dep) => {
            const href = dep.package ? hosted.get(hostedKey(dep.package.owner, dep.package.name)) : undefined;
            return (
              <li>
                {href ? <a href={href}>{dep.name}</a> : dep.name} {dep.requirement ? <code>{dep.requirement}</code> : null}
                {dep.note ? <span class="muted"> ({dep.note})</span> : null}
              </li>
            );
          })}
        </ul>
      );
  }
}
