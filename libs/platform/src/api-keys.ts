import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException, applyDecorators, createParamDecorator, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { createHash, timingSafeEqual } from 'node:crypto';

export const ROLES = ['analyst', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
const RANK: Record<Role, number> = { analyst: 1, auditor: 2, admin: 3 };

export interface Principal {
  name: string;
  role: Role;
}

interface KeyEntry extends Principal {
  digest: Buffer;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** One `key:role[:name]` pair of `API_KEYS`, in the order written. */
export interface ApiKeySpec {
  key: string;
  role: Role;
  name?: string;
}

/** Reads `API_KEYS` (key:role[:name] pairs separated by commas) as every service does; the config check has validated its shape. */
export function parseApiKeys(spec = ''): ApiKeySpec[] {
  return spec
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const [key, role, name] = pair.split(':');
      return { key, role: role as Role, ...(name ? { name } : {}) };
    });
}

/** The first key of `API_KEYS` with this exact role (the admin key `npm start` prints), or undefined. */
export function firstKeyWithRole(spec: string | undefined, role: Role): string | undefined {
  return parseApiKeys(spec).find((k) => k.role === role)?.key;
}

/** API keys from `API_KEYS` (key:role[:name]); the key itself is kept only as a digest. */
export class ApiKeyRegistry {
  private readonly keys: KeyEntry[];

  constructor(spec = '') {
    this.keys = parseApiKeys(spec).map(({ key, role, name }) => ({ digest: digest(key), role, name: name ?? `${role}-${digest(key).toString('hex').slice(0, 8)}` }));
  }

  /** Compares against every key in constant time per key, so timing does not reveal which matched. */
  resolve(presented: string): Principal | undefined {
    const d = digest(presented);
    let found: KeyEntry | undefined;
    for (const k of this.keys) if (timingSafeEqual(k.digest, d)) found ??= k;
    return found && { name: found.name, role: found.role };
  }
}

export const API_KEY_REGISTRY = Symbol('API_KEY_REGISTRY');
const ROLE_KEY = 'compliance:min-role';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ApiKeyRegistry,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const min = this.reflector.getAllAndOverride<Role>(ROLE_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!min) return true;
    const req = ctx.switchToHttp().getRequest();
    const header = String(req.headers.authorization ?? '');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const principal = match ? this.registry.resolve(match[1]) : undefined;
    if (!principal) throw new UnauthorizedException({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'a valid API key is required' });
    if (RANK[principal.role] < RANK[min]) throw new ForbiddenException({ statusCode: 403, code: 'FORBIDDEN', message: `role ${min} or above is required` });
    req.principal = principal;
    return true;
  }
}

/** Requires an API key whose role is `min` or above. */
export function RequireRole(min: Role) {
  return applyDecorators(
    SetMetadata(ROLE_KEY, min),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'missing or unknown API key' }),
    ApiForbiddenResponse({ description: `role below ${min}` }),
  );
}

export function hasRole(principal: Principal | undefined, min: Role): boolean {
  return !!principal && RANK[principal.role] >= RANK[min];
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal);
