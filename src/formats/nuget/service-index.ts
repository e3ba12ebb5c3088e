import type { FeedUrls } from './registration.js';

/** The v3 service index (`/nuget/OWNER/index.json`): every resource type NuGet.exe and dotnet look for. */
export function serviceIndex(urls: FeedUrls) {
  const publish = urls.v3.replace(/\/v3$/, '/api/v2');
  const resource = (id: string, types: string[]) => types.map((type) => ({ '@id': id, '@type': type }));
  return {
    version: '3.0.0',
    resources: [
      ...resource(`${publish}/package`, ['PackagePublish/2.0.0']),
      ...resource(`${publish}/symbolpackage`, ['SymbolPackagePublish/4.9.0']),
      ...resource(`${urls.v3}/flatcontainer/`, ['PackageBaseAddress/3.0.0']),
      ...resource(`${urls.v3}/registration/`, ['RegistrationsBaseUrl', 'RegistrationsBaseUrl/3.0.0-rc', 'RegistrationsBaseUrl/3.0.0-beta', 'RegistrationsBaseUrl/3.4.0', 'RegistrationsBaseUrl/3.6.0', 'RegistrationsBaseUrl/Versioned']),
      ...resource(`${urls.v3}/search`, ['SearchQueryService', 'SearchQueryService/3.0.0-rc', 'SearchQueryService/3.0.0-beta', 'SearchQueryService/3.5.0']),
      ...resource(`${urls.v3}/autocomplete`, ['SearchAutocompleteService', 'SearchAutocompleteService/3.0.0-rc', 'SearchAutocompleteService/3.0.0-beta', 'SearchAutocompleteService/3.5.0']),
      ...resource(`${urls.v3}/readme/{lower_id}/{lower_version}/readme`, ['ReadmeUriTemplate/6.13.0']),
    ],
  };
}
