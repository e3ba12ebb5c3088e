import assert from 'node:assert/strict';
import { securitySuite, type SecuredRoute } from './security-suite.js';
import { blob, imageFixture, pushBlob, pushImage } from '../support/oci-fixtures.js';

const challenge = /^Bearer realm="[^"]+\/v2\/token",service="kura",scope="repository:alice\/hidden:[a-z,]+"$/;

securitySuite('container registry (/v2/)', async (k, actors) => {
  const name = 'alice/hidden';
  const image = imageFixture({ layers: ['secret layer'] });
  const pushed = await pushImage(k, actors.aliceAll, name, image, 'v1');
  if (pushed.statusCode !== 201) throw new Error(`setup push failed: ${pushed.body}`);
  const extra = blob('another blob');
  await pushBlob(k, actors.aliceAll, name, extra);
  const session = await k.inject({ method: 'POST', url: `/v2/${name}/blobs/uploads/`, token: actors.aliceAll });
  const upload = String(session.headers['location']);
  const layer = image.layers[0]!.digest;
  const fresh = blob('fresh bytes');
  const json = { 'content-type': 'application/vnd.oci.image.manifest.v1+json' };

  const routes: SecuredRoute[] = [
    { name: 'manifest GET by tag', method: 'GET', url: `/v2/${name}/manifests/v1`, needs: 'read', challenge },
    { name: 'manifest HEAD by tag', method: 'HEAD', url: `/v2/${name}/manifests/v1`, needs: 'read', challenge },
    { name: 'manifest GET by digest', method: 'GET', url: `/v2/${name}/manifests/${image.digest}`, needs: 'read', challenge },
    { name: 'blob GET', method: 'GET', url: `/v2/${name}/blobs/${layer}`, needs: 'read', challenge },
    { name: 'blob HEAD', method: 'HEAD', url: `/v2/${name}/blobs/${layer}`, needs: 'read', challenge },
    { name: 'blob GET with Range', method: 'GET', url: `/v2/${name}/blobs/${layer}`, headers: { range: 'bytes=0-3' }, needs: 'read', challenge },
    { name: 'tags list', method: 'GET', url: `/v2/${name}/tags/list`, needs: 'read', challenge },
    { name: 'referrers', method: 'GET', url: `/v2/${name}/referrers/${image.digest}`, needs: 'read', challenge },
    { name: 'upload start', method: 'POST', url: `/v2/${name}/blobs/uploads/`, needs: 'write', challenge },
    { name: 'monolithic upload', method: 'POST', url: `/v2/${name}/blobs/uploads/?digest=${fresh.digest}`, payload: fresh.data, headers: { 'content-type': 'application/octet-stream' }, needs: 'write', challenge },
    { name: 'mount', method: 'POST', url: `/v2/${name}/blobs/uploads/?mount=${layer}&from=${name}`, needs: 'write', challenge },
    { name: 'upload chunk', method: 'PATCH', url: upload, payload: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' }, needs: 'write', challenge },
    { name: 'upload status', method: 'GET', url: upload, needs: 'write', challenge },
    { name: 'upload finish', method: 'PUT', url: `${upload}?digest=${fresh.digest}`, needs: 'write', challenge },
    { name: 'upload cancel', method: 'DELETE', url: upload, needs: 'write', challenge },
    { name: 'manifest PUT by tag', method: 'PUT', url: `/v2/${name}/manifests/v2`, payload: image.manifest, headers: json, needs: 'write', challenge },
    { name: 'manifest PUT by digest', method: 'PUT', url: `/v2/${name}/manifests/${image.digest}`, payload: image.manifest, headers: json, needs: 'write', challenge },
    { name: 'tag DELETE', method: 'DELETE', url: `/v2/${name}/manifests/v1`, needs: 'delete', challenge },
    { name: 'manifest DELETE', method: 'DELETE', url: `/v2/${name}/manifests/${image.digest}`, needs: 'delete', challenge },
    { name: 'blob DELETE', method: 'DELETE', url: `/v2/${name}/blobs/${extra.digest}`, needs: 'delete', challenge },
  ];
  // The distribution spec's error document, with the code of what the path takes.
  const refusal = (res: { headers: Record<string, unknown>; json(): unknown }, route: { url: string }) => {
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const [error] = (res.json() as { errors: Array<{ code: string; message: string }> }).errors;
    const expected = route.url.includes('/manifests/') ? 'MANIFEST_INVALID' : route.url.includes('/blobs/uploads/') ? 'BLOB_UPLOAD_INVALID' : 'UNSUPPORTED';
    assert.equal(error?.code, expected, route.url);
    assert.match(error.message, /^expected /);
  };
  return { routes, refusal };
});
