import { catalogFromCsv, catalogFromJson } from '../../admin/catalog-import.js';
import type { Expect, FuzzCase, FuzzTarget } from './fuzz-case.js';
import { refused } from './fuzz-case.js';
import type { Json } from './mutate.js';
import { EXTRA_KEYS, junkBodies, mutate, parseAsHq, pathsOf, serialize, wrongType } from './mutate.js';
import type { RawRequest } from './raw-http.js';

type Route = {
  method: string;
  path: string;
  base: () => Record<string, Json>;
  optional: string[];
  semantic: [string, Record<string, Json>][];
};

function routes(target: FuzzTarget): Route[] {
  const store = target.a.storeId;
  const brand = target.a.brand;
  return [
    {
      // An owner making a finance account (HQ migration 0022's roles).
      method: 'PUT',
      path: '/admin/v1/admin-users/fuzz-finance',
      base: () => ({ role: 'finance', password: 'fuzz-password-1' }),
      optional: [],
      semantic: [
        ['a role HQ does not have', { role: 'root', password: 'fuzz-password-1' }],
        ['a role in capitals', { role: 'OWNER', password: 'fuzz-password-1' }],
        ['a password of 9 characters', { role: 'finance', password: 'fuzz-pass' }],
        ['a password of 201 characters', { role: 'finance', password: 'x'.repeat(201) }],
      ],
    },
    {
      method: 'POST',
      path: '/admin/v1/brands',
      base: () => ({ code: 'FUZZ', name_zh: '模糊', name_en: 'Fuzz' }),
      optional: [],
      semantic: [
        ['a code with a space', { code: 'A B', name_zh: 'x', name_en: 'x' }],
        ['a NUL in the name', { code: 'FUZZ', name_zh: 'a\u0000b', name_en: 'x' }],
      ],
    },
    {
      method: 'POST',
      path: '/admin/v1/locations',
      base: () => ({
        id: 'loc-FUZZ',
        brand,
        kind: 'store',
        code: 'F001',
        name_zh: '模糊店',
        name_en: 'Fuzz',
        city_zh: '上海',
        city_en: 'Shanghai',
        lat: 31.2,
        lng: 121.4,
        timezone: 'Asia/Shanghai',
      }),
      optional: ['timezone'],
      semantic: [
        [
          'latitude 90.5',
          { id: 'loc-FUZZ', brand, kind: 'store', code: 'F001', name_zh: 'x', name_en: 'x', city_zh: 'x', city_en: 'x', lat: 90.5, lng: 0 },
        ],
        [
          'an unknown brand',
          {
            id: 'loc-FUZZ',
            brand: 'NOPE',
            kind: 'store',
            code: 'F001',
            name_zh: 'x',
            name_en: 'x',
            city_zh: 'x',
            city_en: 'x',
            lat: 0,
            lng: 0,
          },
        ],
        [
          'a NUL in the city',
          {
            id: 'loc-FUZZ',
            brand,
            kind: 'store',
            code: 'F001',
            name_zh: 'x',
            name_en: 'x',
            city_zh: '\u0000',
            city_en: 'x',
            lat: 0,
            lng: 0,
          },
        ],
      ],
    },
    {
      method: 'POST',
      path: '/admin/v1/staff',
      base: () => ({ id: 'st-fuzz', storeId: store, code: 'F1', name: 'Fuzz', role: 'cashier', pin: '1234', active: true }),
      optional: ['active'],
      semantic: [
        ['a PIN of 3 digits', { id: 'st-fuzz', storeId: store, code: 'F1', name: 'x', role: 'cashier', pin: '123' }],
        ['role admin', { id: 'st-fuzz', storeId: store, code: 'F1', name: 'x', role: 'admin', pin: '1234' }],
        ['an unknown store', { id: 'st-fuzz', storeId: 'loc-NOPE', code: 'F1', name: 'x', role: 'cashier', pin: '1234' }],
        ['a NUL in the name', { id: 'st-fuzz', storeId: store, code: 'F1', name: 'a\u0000', role: 'cashier', pin: '1234' }],
      ],
    },
    {
      method: 'PUT',
      path: '/admin/v1/stock',
      base: () => ({ locationId: store, levels: [{ sku: target.sku, qty: 5 }] }),
      optional: [],
      semantic: [
        ['an unknown SKU', { locationId: store, levels: [{ sku: 'NOPE-SKU', qty: 5 }] }],
        ['an unknown location', { locationId: 'loc-NOPE', levels: [{ sku: target.sku, qty: 5 }] }],
        ['no levels', { locationId: store, levels: [] }],
        ['a NUL in the SKU', { locationId: store, levels: [{ sku: 'a\u0000', qty: 5 }] }],
        ['qty 2,000,000', { locationId: store, levels: [{ sku: target.sku, qty: 2_000_000 }] }],
      ],
    },
    {
      method: 'POST',
      path: '/admin/v1/enrolment-codes',
      base: () => ({ storeId: store, ttlMinutes: 60 }),
      optional: ['ttlMinutes'],
      semantic: [
        ['an unknown store', { storeId: 'loc-NOPE' }],
        ['the warehouse', { storeId: 'loc-WH' }],
        ['ttl 0', { storeId: store, ttlMinutes: 0 }],
        ['ttl of a century', { storeId: store, ttlMinutes: 60 * 24 * 365 * 100 }],
      ],
    },
  ];
}

/** Breaks one thing a schema must refuse: a required member gone, a value of the wrong JSON type, an unknown key. */
function typeMutation(target: FuzzTarget, route: Route): { body: Buffer; what: string } {
  const { prng } = target;
  const root = route.base();
  const op = prng.pick(['delete', 'wrongType', 'wrongType', 'extra']);
  if (op === 'delete') {
    const key = prng.pick(Object.keys(root).filter((k) => !route.optional.includes(k)));
    delete root[key];
    return { body: serialize(root), what: `without ${key}` };
  }
  if (op === 'extra') {
    const key = prng.pick(EXTRA_KEYS);
    Object.defineProperty(root, key, { value: { polluted: true }, enumerable: true });
    return { body: serialize(root), what: `extra key ${JSON.stringify(key)}` };
  }
  const path = prng.pick(pathsOf(root).filter((p) => typeof p[p.length - 1] === 'string'));
  let node: Json = root;
  for (const step of path.slice(0, -1)) node = (node as Record<string | number, Json>)[step] as Json;
  const key = path[path.length - 1] as string;
  const value = wrongType(prng, (node as Record<string, Json>)[key] ?? null);
  (node as Record<string, Json>)[key] = value;
  return { body: serialize(root), what: `${path.join('.')} → ${JSON.stringify(value)}` };
}

function catalogBase(target: FuzzTarget): Json {
  return {
    brand: target.a.brand,
    styles: [{ code: 'FZ01', name_zh: '模糊', name_en: 'Fuzz', category_zh: '上衣', category_en: 'Tops', season: '26W', price_fen: 9900 }],
    skus: [
      {
        sku: 'FZ01-1',
        style_code: 'FZ01',
        colour_code: '001',
        colour_zh: '黑',
        colour_en: 'Black',
        size: 'M',
        size_order: 1,
        ean: '6900000000017',
        price_fen: 9900,
        active: true,
      },
    ],
  };
}

function refusedByCatalog(body: Buffer, csv: boolean): boolean {
  try {
    if (csv) catalogFromCsv('FUZZ', body.toString('utf8'));
    else catalogFromJson(parseAsHq(body));
    return false;
  } catch {
    return true;
  }
}

/**
 * The admin API: every route without a token or with a wrong one (with bodies that would be
 * written if the token were good), and with the real token but bodies its schemas refuse.
 */
export function adminCases(target: FuzzTarget): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const auth = { authorization: `Bearer ${target.adminToken}` };
  const add = (name: string, request: RawRequest, expect: Expect) => cases.push({ family: 'admin', name, steps: [{ request, expect }] });
  const json = (method: string, path: string, body: Buffer | string, headers: Record<string, string> = auth): RawRequest => ({
    method,
    path,
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });

  const badTokens: (string | null)[] = [
    null,
    'Bearer',
    'Bearer ',
    `Bearer ${'A'.repeat(43)}`,
    `bearer ${target.adminToken}`,
    target.adminToken,
    `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}`,
    `Bearer ${target.adminToken}x`,
    `Bearer ${'a'.repeat(101)}`,
    `Bearer ${target.adminToken.slice(0, -1)}`,
  ];
  for (const route of routes(target)) {
    for (const token of badTokens) {
      add(
        `${route.path}: token ${JSON.stringify(token?.slice(0, 16) ?? null)}`,
        json(route.method, route.path, JSON.stringify(route.base()), token === null ? {} : { authorization: token }),
        refused('unauthenticated'),
      );
    }
    for (let i = 0; i < 20; i++) {
      const mutation = typeMutation(target, route);
      add(`${route.path}: ${mutation.what}`, json(route.method, route.path, mutation.body), refused('bad_request'));
    }
    for (const [what, body] of route.semantic)
      add(`${route.path}: ${what}`, json(route.method, route.path, JSON.stringify(body)), refused('bad_request', 'not_found'));
    for (const junk of junkBodies(target.prng, JSON.stringify(route.base())).slice(0, 10))
      add(`${route.path}: ${junk.what}`, json(route.method, route.path, junk.body), refused('bad_request'));
  }

  for (const token of badTokens) {
    add(
      `GET devices: token ${JSON.stringify(token?.slice(0, 16) ?? null)}`,
      { method: 'GET', path: '/admin/v1/devices', headers: token === null ? {} : { authorization: token } },
      refused('unauthenticated'),
    );
    add(
      `revoke A: token ${JSON.stringify(token?.slice(0, 16) ?? null)}`,
      { method: 'POST', path: `/admin/v1/devices/${target.a.id}/revoke`, headers: token === null ? {} : { authorization: token } },
      refused('unauthenticated'),
    );
  }
  // Sign-out without a well-formed token ends nothing (a well-formed one would end the fuzzer's
  // session, or none: never sent here), and disabling an account needs an owner's token.
  for (const token of badTokens) {
    if (token !== null && /^Bearer [A-Za-z0-9_-]{20,100}$/.test(token)) continue;
    add(
      `logout: token ${JSON.stringify(token?.slice(0, 16) ?? null)}`,
      { method: 'POST', path: '/admin/v1/logout', headers: token === null ? {} : { authorization: token } },
      refused('unauthenticated'),
    );
  }
  for (const token of badTokens) {
    add(
      `disable fuzz-finance: token ${JSON.stringify(token?.slice(0, 16) ?? null)}`,
      { method: 'DELETE', path: '/admin/v1/admin-users/fuzz-finance', headers: token === null ? {} : { authorization: token } },
      refused('unauthenticated'),
    );
  }
  // Names the owner's token reaches with: none is an account, none is the fuzzer's own.
  for (const name of ['no-such-admin', 'a'.repeat(65), '..%2F..%2Fetc', "'%20OR%201=1", 'admin%00', '%20', 'ADMIN%2F']) {
    add(
      `disable ${name.slice(0, 20)}`,
      { method: 'DELETE', path: `/admin/v1/admin-users/${name}`, headers: auth },
      refused('bad_request', 'not_found'),
    );
  }
  for (const id of ['not-a-uuid', '01900000-0000-7000-8000-00000000beef', `${target.a.id}x`, '..%2F..%2Fetc', "'%20OR%201=1"]) {
    add(`revoke ${id}`, { method: 'POST', path: `/admin/v1/devices/${id}/revoke`, headers: auth }, refused('bad_request', 'not_found'));
  }

  // Catalog import, JSON and CSV: only bodies the importer itself refuses.
  for (let made = 0, attempt = 0; made < 40 && attempt < 400; attempt++) {
    const mutation = mutate(target.prng, catalogBase(target));
    if (!refusedByCatalog(mutation.body, false)) continue;
    made++;
    add(`catalog JSON: ${mutation.what}`, json('POST', '/admin/v1/catalog', mutation.body), refused('bad_request'));
  }
  const header = 'sku,style_code,colour_code,colour_zh,colour_en,size,size_order,ean,price_fen';
  const csvs = [
    '',
    'just,a,header',
    `${header}\nFZ01-1,FZ01,001,黑,Black,M,1,690000000001,9900`,
    `${header}\nFZ01-1,FZ01,001,黑,Black,M,1,6900000000017`,
    `${header}\n"unterminated,FZ01,001,黑,Black,M,1,6900000000017,9900`,
    `${header}\nFZ01-1,FZ01,001,黑,Black,M,-1,6900000000017,9900`,
    `${header}\nFZ01-1,FZ01,001,黑,Black,M,1,6900000000017,9.5`,
    `${header}\nFZ01-1,FZ01,001,黑,Black,M,1,6900000000017,9900\nFZ01-1,FZ01,001,黑,Black,M,1,6900000000017,9900`,
    `${header},style_name_zh\nFZ01-1,FZ01,001,黑,Black,M,1,6900000000017,9900,x`,
    `${header}\n${'x,'.repeat(8)}x`,
  ];
  for (const csv of csvs) {
    if (!refusedByCatalog(Buffer.from(csv), true)) continue;
    add(
      `catalog CSV: ${JSON.stringify(csv.slice(-30))}`,
      { method: 'POST', path: '/admin/v1/catalog?brand=FUZZ', headers: { ...auth, 'content-type': 'text/csv' }, body: csv },
      refused('bad_request'),
    );
  }
  add(
    'catalog CSV without a brand',
    {
      method: 'POST',
      path: '/admin/v1/catalog',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: `${header}\nFZ01-1,FZ01,001,黑,Black,M,1,6900000000017,9900`,
    },
    refused('bad_request'),
  );
  add(
    'catalog CSV with a bad brand',
    {
      method: 'POST',
      path: '/admin/v1/catalog?brand=%00',
      headers: { ...auth, 'content-type': 'text/csv' },
      body: `${header}\nFZ01-1,FZ01,001,黑,Black,M,1,6900000000017,9900`,
    },
    refused('bad_request'),
  );
  add(
    'catalog for an unknown brand',
    json('POST', '/admin/v1/catalog', JSON.stringify({ ...(catalogBase(target) as Record<string, Json>), brand: 'NOPE' })),
    refused('bad_request'),
  );

  // Login: malformed bodies and wrong passwords (after ten failures a minute HQ answers 429).
  const login: Expect = refused('bad_request', 'unauthenticated', 'forbidden');
  for (const body of [
    {},
    { name: 'admin' },
    { name: 'admin', password: '' },
    { name: ['admin'], password: 'x' },
    { name: 'admin', password: 'x'.repeat(201) },
    { name: 'admin', password: 'wrong' },
    { name: "admin' --", password: 'x' },
    { name: 'admin\u0000', password: 'x' },
  ]) {
    add(`login ${JSON.stringify(body).slice(0, 40)}`, json('POST', '/admin/v1/login', JSON.stringify(body), {}), login);
  }
  // Routes and methods that do not exist.
  for (const [method, path] of [
    ['GET', '/sync/v1/push'],
    ['DELETE', '/admin/v1/devices'],
    ['POST', '/admin/v2/brands'],
    ['GET', '/sync/v1/../../admin/v1/devices'],
    ['PATCH', '/sync/v1/enrol'],
    ['GET', '/%00'],
  ]) {
    add(
      `${method} ${path}`,
      { method: method as string, path: path as string, headers: {} },
      refused('not_found', 'bad_request', 'unauthenticated'),
    );
  }
  return cases;
}
