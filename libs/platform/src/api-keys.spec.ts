import { ApiKeyRegistry, firstKeyWithRole, parseApiKeys } from './api-keys';

describe('API_KEYS', () => {
  const spec = 'key-of-ana:analyst:ana,key-of-aud:auditor,key-of-adm:admin:adm,second-admin:admin:root';

  it('reads key:role[:name] pairs in the order written', () => {
    expect(parseApiKeys(spec)).toEqual([
      { key: 'key-of-ana', role: 'analyst', name: 'ana' },
      { key: 'key-of-aud', role: 'auditor' },
      { key: 'key-of-adm', role: 'admin', name: 'adm' },
      { key: 'second-admin', role: 'admin', name: 'root' },
    ]);
    expect(parseApiKeys('')).toEqual([]);
    expect(parseApiKeys(undefined)).toEqual([]);
  });

  it('picks the first key with a role, not the first key: the admin key npm start prints', () => {
    expect(firstKeyWithRole(spec, 'admin')).toBe('key-of-adm');
    expect(firstKeyWithRole(spec, 'analyst')).toBe('key-of-ana');
    expect(firstKeyWithRole('only-analyst:analyst', 'admin')).toBeUndefined();
    expect(firstKeyWithRole(undefined, 'admin')).toBeUndefined();
    // The key picked is one the services resolve to that role.
    expect(new ApiKeyRegistry(spec).resolve(firstKeyWithRole(spec, 'admin') as string)).toEqual({ name: 'adm', role: 'admin' });
    expect(new ApiKeyRegistry(spec).resolve('key-of-aud')).toEqual({ name: expect.stringMatching(/^auditor-[0-9a-f]{8}$/), role: 'auditor' });
  });
});
