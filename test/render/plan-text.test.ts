import { describe, expect, it } from 'vitest';
import { Sensitive } from '../../src/model/types.js';
import { assemblePlan } from '../../src/plan/plan.js';
import type { Plan } from '../../src/plan/types.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { EMPTY, instance, scenario, type Scenario } from '../plan/builders.js';

const plan = (s: Scenario): Plan => assemblePlan(scenario(s));
const text = (p: Plan) => renderPlanText(p, { color: false });

const app = instance('database', 'app', { owner: 'app_owner' });
const api = instance('schema', 'api', { database: 'app', owner: 'app_owner', comment: 'the API' });
const svc = instance('service_account', 'svc', { database: 'app', schemas: ['api'] });

const KEY = (...lines: string[]) => ['Resource actions are indicated with the following symbols:', ...lines, '', 'xp will perform the following actions:', ''];

const cases: Array<[string, Plan, string[]]> = [
  [
    'no changes',
    plan({ desired: [{ r: app, server: 'same' }] }),
    [
      'No changes. Your infrastructure matches the configuration.',
      '',
      'xp compared the server against your configuration and found no differences, so no changes are needed.',
    ],
  ],
  ['nothing to destroy', plan({ options: { destroy: true } }), ['No changes. No objects need to be destroyed.']],
  [
    'a create lists every attribute, aligned, and the key only has +',
    plan({ desired: [{ r: api, server: null, managed: false }] }),
    [
      ...KEY('  + create'),
      '  # schema.api will be created',
      '  + schema "api" {',
      '      + database = "app"',
      '      + owner    = "app_owner"',
      '      + comment  = "the API"',
      '    }',
      '',
      'Plan: 1 to add, 0 to change, 0 to destroy.',
    ],
  ],
  [
    'an update shows old → new and hides the unchanged attributes',
    plan({ desired: [{ r: app, server: { connection_limit: 5, owner: 'bob' } }] }),
    [
      ...KEY('  ~ update in-place'),
      '  # database.app will be updated in-place',
      '  # (drifted: changed outside xp)',
      '  ~ database "app" {',
      '      ~ owner            = "bob" → "app_owner"',
      '      ~ connection_limit = 5 → -1',
      '        # (7 unchanged attributes hidden)',
      '    }',
      '',
      'Plan: 0 to add, 1 to change, 0 to destroy.',
    ],
  ],
  [
    'a lifecycle change is shown like an attribute change and counted as an update',
    plan({ desired: [{ r: instance('schema', 'api', { database: 'app', owner: 'app_owner', comment: 'the API' }, { lifecycle: { deletion_policy: 'orphan', ignore_changes: ['comment'] } }), server: 'same', recorded: { deletion_policy: 'delete', ignore_changes: [] } }] }),
    [
      ...KEY('  ~ update in-place'),
      '  # schema.api will be updated in-place',
      '  # (lifecycle changed: recorded by xp, nothing changes on the server)',
      '  ~ schema "api" {',
      '      ~ lifecycle.deletion_policy = "delete" → "orphan"',
      '      ~ lifecycle.ignore_changes  = [',
      '          + "comment",',
      '        ]',
      '        # (3 unchanged attributes hidden)',
      '    }',
      '',
      'Plan: 0 to add, 1 to change, 0 to destroy.',
    ],
  ],
  [
    'set attributes show elements added and removed',
    plan({ desired: [{ r: instance('role', 'r', { member_of: ['b', 'c'] }), server: { member_of: ['a', 'b'] }, managed: true }] }),
    [
      ...KEY('  ~ update in-place'),
      '  # role.r will be updated in-place',
      '  # (drifted: changed outside xp)',
      '  ~ role "r" {',
      '      ~ member_of = [',
      '          + "c",',
      '          - "a",',
      '            # (1 unchanged element hidden)',
      '        ]',
      '        # (14 unchanged attributes hidden)',
      '    }',
      '',
      'Plan: 0 to add, 1 to change, 0 to destroy.',
    ],
  ],
  [
    'grants change as privilege deltas; added and revoked grants as blocks',
    plan({
      desired: [
        {
          r: instance('role', 'reader', { grants: [{ database: 'app', schema: 'api', on: 'tables', privileges: ['INSERT', 'SELECT'], future: true }] }),
          server: {
            grants: [
              { database: 'app', schema: 'api', on: 'tables', privileges: ['DELETE', 'SELECT'], future: true },
              { database: 'app', schema: null, on: 'database', privileges: ['CONNECT'], future: false },
            ],
          },
          managed: false,
        },
      ],
    }),
    [
      ...KEY('  ~ update in-place'),
      '  # role.reader will be updated in-place',
      '  # (exists on the server, not yet managed by this stack: updated and adopted)',
      '  ~ role "reader" {',
      '      ~ grants = [',
      '          - app (database) {',
      '              - future     = false',
      '              - privileges = [CONNECT]',
      '            }',
      '          ~ app.api (tables) {',
      '              ~ privileges = [',
      '                  + INSERT,',
      '                  - DELETE,',
      '                    # (1 unchanged element hidden)',
      '                ]',
      '            }',
      '        ]',
      '        # (14 unchanged attributes hidden)',
      '    }',
      '',
      'Plan: 0 to add, 1 to change, 0 to destroy.',
    ],
  ],
  [
    'settings are shown key by key',
    plan({ desired: [{ r: instance('role', 'r', { settings: { work_mem: '64MB', search_path: 'api' } }), server: { settings: { work_mem: '4MB', jit: 'off' } }, managed: false }] }),
    [
      ...KEY('  ~ update in-place'),
      '  # role.r will be updated in-place',
      '  # (exists on the server, not yet managed by this stack: updated and adopted)',
      '  ~ role "r" {',
      '      ~ settings = {',
      '          - jit         = "off"',
      '          + search_path = "api"',
      '          ~ work_mem    = "4MB" → "64MB"',
      '        }',
      '        # (14 unchanged attributes hidden)',
      '    }',
      '',
      'Plan: 0 to add, 1 to change, 0 to destroy.',
    ],
  ],
  [
    'a destroy is red and lists what goes; an orphan is only forgotten',
    plan({
      undeclared: [
        { r: instance('role', 'old', { comment: 'bye' }), server: 'same' },
        { r: instance('role', 'kept', {}), server: 'same', policy: 'orphan' },
      ],
    }),
    [
      ...KEY('  - destroy', '    (an orphaned resource is only forgotten: it stays on the server)'),
      '  # role.kept will be forgotten (deletion_policy = "orphan": left on the server)',
      '  # (no longer declared)',
      '  - role "kept" {',
      '      - login                     = false',
      '      - superuser                 = false',
      '      - createdb                  = false',
      '      - createrole                = false',
      '      - replication               = false',
      '      - bypass_row_level_security = false',
      '      - inherit                   = true',
      '      - connection_limit          = -1',
      '    }',
      '',
      '  # role.old will be destroyed',
      '  # (no longer declared)',
      '  - role "old" {',
      '      - login                     = false',
      '      - superuser                 = false',
      '      - createdb                  = false',
      '      - createrole                = false',
      '      - replication               = false',
      '      - bypass_row_level_security = false',
      '      - inherit                   = true',
      '      - connection_limit          = -1',
      '      - comment                   = "bye"',
      '    }',
      '',
      'Plan: 0 to add, 0 to change, 1 to destroy, 1 to forget.',
    ],
  ],
  [
    'a replace is -/+ with the reason and # forces replacement; passwords are (sensitive)',
    plan({ desired: [{ r: svc, server: 'same' }], options: { replace: ['service_account.svc'] } }),
    [
      ...KEY('-/+ destroy and then create replacement'),
      '  # service_account.svc must be replaced',
      '  # (requested by --replace: the password is rotated)',
      '-/+ service_account "svc" {',
      '      ~ password = (sensitive) → (known after apply) # forces replacement',
      '        # (16 unchanged attributes hidden)',
      '    }',
      '',
      'Plan: 1 to add, 0 to change, 1 to destroy.',
    ],
  ],
  [
    'sensitive and unknown values are never printed',
    plan({
      desired: [
        { r: instance('service_account', 'gen', { database: 'app', comment: new Sensitive('top secret') }), server: null, managed: false },
        { r: instance('service_account', 'given', { database: 'app', password: new Sensitive('hunter2') }), server: null, managed: false },
      ],
    }),
    [
      ...KEY('  + create'),
      '  # service_account.gen will be created',
      '  + service_account "gen" {',
      '      + database                  = "app"',
      '      + login                     = true',
      '      + superuser                 = false',
      '      + createdb                  = false',
      '      + createrole                = false',
      '      + replication               = false',
      '      + bypass_row_level_security = false',
      '      + inherit                   = true',
      '      + connection_limit          = -1',
      '      + comment                   = (sensitive)',
      '      + password                  = (known after apply)',
      '    }',
      '',
      '  # service_account.given will be created',
      '  + service_account "given" {',
      '      + database                  = "app"',
      '      + login                     = true',
      '      + superuser                 = false',
      '      + createdb                  = false',
      '      + createrole                = false',
      '      + replication               = false',
      '      + bypass_row_level_security = false',
      '      + inherit                   = true',
      '      + connection_limit          = -1',
      '      + password                  = (sensitive)',
      '    }',
      '',
      'Plan: 2 to add, 0 to change, 0 to destroy.',
    ],
  ],
  [
    'an instance address keeps its index in the comment, the label in the header',
    plan({ desired: [{ r: instance('schema', 'tenant_acme', { database: 'app' }, { address: 'schema.tenant["acme"]' }), server: null, managed: false }] }),
    [
      ...KEY('  + create'),
      '  # schema.tenant["acme"] will be created',
      '  + schema "tenant" {',
      '      + database = "app"',
      '      + owner    = "postgres"',
      '    }',
      '',
      'Plan: 1 to add, 0 to change, 0 to destroy.',
    ],
  ],
];

describe('renderPlanText', () => {
  it.each(cases)('%s', (_name, p, lines) => {
    expect(text(p)).toBe(lines.join('\n') + '\n');
  });

  it('makes data loss loud, and prints the refusal with what to do', () => {
    const p = plan({ undeclared: [{ r: app, server: 'same' }], contents: [[app, { tables: 2, objects: 1, kinds: { table: 2, 'large object': 1 }, examples: ['api.orders', 'api.users', 'large object 16400'] }]] });
    expect(text(p)).toBe(
      [
        ...KEY('  - destroy'),
        '  # database.app will be destroyed',
        '  # (no longer declared)',
        '  # WARNING: DATA LOSS: this drops 1 large object, 2 tables (api.orders, api.users, large object 16400) — refused without --allow-data-loss',
        '  - database "app" {',
        '      - owner             = "app_owner"',
        '      - encoding          = "UTF8"',
        '      - lc_collate        = "C.UTF-8"',
        '      - lc_ctype          = "C.UTF-8"',
        '      - connection_limit  = -1',
        '      - allow_connections = true',
        '      - is_template       = false',
        '    }',
        '',
        'Plan: 0 to add, 0 to change, 1 to destroy.',
        '',
        'WARNING: this plan destroys data in database.app.',
        '',
        '╷',
        '│ Error: database.app: Dropping database "app" would destroy 1 large object, 2 tables (api.orders, api.users, large object 16400).',
        '│',
        '│ Pass --allow-data-loss to drop it anyway, or set lifecycle { deletion_policy = "orphan" } to keep it on the server.',
        '╵',
        '',
      ].join('\n'),
    );
  });

  it('refuses an immutable change with a forces-replacement marker and an error', () => {
    const p = plan({ desired: [{ r: instance('database', 'app', { encoding: 'LATIN1' }), server: { encoding: 'UTF8' } }], contents: [] });
    const out = text(p);
    expect(out).toContain('-/+ database "app" {\n      ~ encoding = "UTF8" → "LATIN1" # forces replacement\n');
    expect(out).toContain('│ Error: database.app: encoding cannot change in place ("UTF8" → "LATIN1"); xp never drops a database silently.');
  });

  it('warns that targeting is in effect', () => {
    const p = plan({ desired: [{ r: app, server: null }, { r: api, server: null }], contents: [[app, EMPTY]], options: { targets: ['database.app'] } });
    expect(text(p).split('\n').slice(0, 3)).toEqual([
      'Warning: resource targeting is in effect',
      'Only database.app and what they depend on were planned;',
      'the plan may be incomplete. Use --target for exceptional situations only.',
    ]);
  });

  it('colours symbols and the summary when asked: green +, yellow ~, red -, red/green -/+', () => {
    const p = plan({
      desired: [
        { r: api, server: null, managed: false },
        { r: app, server: { owner: 'bob' } },
        { r: svc, server: 'same' },
      ],
      undeclared: [{ r: instance('role', 'old'), server: 'same' }],
      options: { replace: ['service_account.svc'] },
    });
    const out = renderPlanText(p, { color: true });
    const green = (s: string) => `\u001b[32m${s}\u001b[39m`;
    const yellow = (s: string) => `\u001b[33m${s}\u001b[39m`;
    const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
    expect(out).toContain(`  ${green('+')} schema "api" {`);
    expect(out).toContain(`  ${yellow('~')} database "app" {`);
    expect(out).toContain(`  ${red('-')} role "old" {`);
    expect(out).toContain(`${red('-')}/${green('+')} service_account "svc" {`);
    expect(out).toContain(`${red('# forces replacement')}`);
    expect(out).toContain('\u001b[1mPlan:\u001b[22m 2 to add, 1 to change, 2 to destroy.');
    // And nothing of that when colour is off.
    expect(renderPlanText(p, { color: false })).not.toMatch(/\u001b\[/);
  });
});
