/**
 * A seeded, industry-shaped synthetic dataset in the import format (data/seed.json): the same
 * seed always gives the same file. Shaped like the AI industry rather than uniform noise:
 * hyperscalers with cloud subsidiaries, labs, chipmakers, neoclouds, investors and software
 * companies; a few hubs attract most deals (Zipf-weighted picks within each role); investments
 * flow from investors and big tech to labs, commitments from labs to clouds, from clouds and
 * neoclouds to chipmakers. Some amounts are unknown, some dates month-precision or missing.
 */

/** mulberry32: small, fast, good enough for test data, and the same on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Role = 'hyperscaler' | 'cloud' | 'lab' | 'chipmaker' | 'neocloud' | 'investor' | 'software';

const SECTORS: Record<Role, string[]> = {
  hyperscaler: ['HYPERSCALER'],
  cloud: ['CLOUD_PROVIDER'],
  lab: ['AI_LAB'],
  chipmaker: ['CHIPMAKER'],
  neocloud: ['NEOCLOUD'],
  investor: ['INVESTOR'],
  software: ['SOFTWARE'],
};

/** Share of the top-level companies in each role; every hyperscaler also gets a cloud arm. */
const ROLE_SHARES: [Exclude<Role, 'cloud'>, number][] = [
  ['hyperscaler', 0.03],
  ['lab', 0.3],
  ['chipmaker', 0.07],
  ['neocloud', 0.1],
  ['investor', 0.25],
  ['software', 0.25],
];

const COUNTRIES = ['US', 'US', 'US', 'US', 'GB', 'FR', 'DE', 'JP', 'CN', 'CA', 'IL', 'KR'];
const STATUSES = ['ANNOUNCED', 'DEFINITIVE_AGREEMENT', 'IN_PROGRESS', 'COMPLETED', 'COMPLETED'];
const PUBLISHERS = ['Reuters', 'Bloomberg', 'Financial Times', 'The Information', 'Company'];
const SYLLABLES = ['ze', 'ra', 'no', 'vi', 'ta', 'lu', 'ex', 'qua', 'mo', 'ri', 'son', 'tek'];

export interface SyntheticOptions {
  seed?: number;
  companies?: number;
  deals?: number;
}

export interface Dataset {
  formatVersion: 1;
  companies: Record<string, unknown>[];
  investments: Record<string, unknown>[];
  commitments: Record<string, unknown>[];
}

export function syntheticIndustry({
  seed = 42,
  companies: companyCount = 300,
  deals: dealCount = 3000,
}: SyntheticOptions = {}): Dataset {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const byRole = new Map<Role, string[]>();
  const companies: Record<string, unknown>[] = [];
  const add = (role: Role, parentId?: string): string => {
    const list = byRole.get(role) ?? [];
    const id = `${role}-${String(list.length + 1).padStart(3, '0')}`;
    const word = Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(SYLLABLES)).join(
      '',
    );
    list.push(id);
    byRole.set(role, list);
    companies.push({
      id,
      name: `${word[0]!.toUpperCase()}${word.slice(1)} ${role === 'cloud' ? 'Cloud' : role[0]!.toUpperCase() + role.slice(1)} ${list.length}`,
      sectors: SECTORS[role],
      country: pick(COUNTRIES),
      ...(parentId ? { parentId } : {}),
    });
    return id;
  };

  const hyperscalers = Math.max(1, Math.round(companyCount * 0.03));
  for (let i = 0; i < hyperscalers && companies.length < companyCount; i++) {
    const parent = add('hyperscaler');
    if (companies.length < companyCount) add('cloud', parent);
  }
  const rest = companyCount - companies.length;
  for (const [role, share] of ROLE_SHARES.filter(([r]) => r !== 'hyperscaler')) {
    const n = Math.round((rest * share) / (1 - 0.03));
    for (let i = 0; i < n && companies.length < companyCount; i++) add(role);
  }
  while (companies.length < companyCount) add('software');

  // A few hubs get most deals: the k-th company of a role is picked with weight 1 / k^0.9.
  const weighted = (roles: Role[]): (() => string) => {
    const ids = roles.flatMap((r) => byRole.get(r) ?? []);
    const weights = ids.map((id) => 1 / Math.pow(Number(id.slice(id.lastIndexOf('-') + 1)), 0.9));
    const total = weights.reduce((a, b) => a + b, 0);
    return () => {
      let x = random() * total;
      for (let i = 0; i < ids.length; i++) {
        x -= weights[i]!;
        if (x <= 0) return ids[i]!;
      }
      return ids.at(-1)!;
    };
  };
  const investor = weighted(['investor', 'investor', 'hyperscaler', 'chipmaker', 'software']);
  const investee = weighted(['lab', 'lab', 'lab', 'neocloud', 'software']);
  const cloudCustomer = weighted(['lab', 'lab', 'software']);
  const cloudProvider = weighted(['cloud', 'neocloud']);
  const hardwareCustomer = weighted(['neocloud', 'cloud', 'hyperscaler', 'lab']);
  const hardwareProvider = weighted(['chipmaker']);
  const capacityCustomer = weighted(['lab', 'hyperscaler']);
  const capacityProvider = weighted(['neocloud']);

  const amount = (min: number, max: number): number | null =>
    random() < 0.12 ? null : Math.round(Math.exp(Math.log(min) + random() * Math.log(max / min)));
  const date = (): string | null => {
    if (random() < 0.05) return null;
    const year = 2019 + Math.floor(random() * 8);
    const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
    if (random() < 0.3) return `${year}-${month}`;
    return `${year}-${month}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  };
  const sources = (): Record<string, unknown>[] =>
    Array.from({ length: 1 + Math.floor(random() * 2) }, (_, i) => ({
      publisher: pick(PUBLISHERS),
      title: `Report ${i + 1}`,
    }));
  const pair = (from: () => string, to: () => string): [string, string] => {
    for (;;) {
      const a = from();
      const b = to();
      if (a !== b) return [a, b];
    }
  };

  const investments: Record<string, unknown>[] = [];
  const commitments: Record<string, unknown>[] = [];
  for (let i = 0; i < dealCount; i++) {
    const common = {
      amountIsUpperBound: random() < 0.05,
      announcedOn: date(),
      status: pick(STATUSES),
      sources: sources(),
    };
    if (random() < 0.55) {
      const [investorId, investeeId] = pair(investor, investee);
      investments.push({
        id: `inv-${String(i).padStart(5, '0')}`,
        investorId,
        investeeId,
        amountUsd: amount(1e7, 2e10),
        ...common,
      });
    } else {
      const roll = random();
      const [kind, customer, provider] =
        roll < 0.6
          ? (['CLOUD', cloudCustomer, cloudProvider] as const)
          : roll < 0.85
            ? (['HARDWARE', hardwareCustomer, hardwareProvider] as const)
            : (['CAPACITY', capacityCustomer, capacityProvider] as const);
      const [customerId, providerId] = pair(customer, provider);
      commitments.push({
        id: `com-${String(i).padStart(5, '0')}`,
        customerId,
        providerId,
        kind,
        amountUsd: amount(1e8, 3e11),
        ...common,
      });
    }
  }
  return { formatVersion: 1, companies, investments, commitments };
}
