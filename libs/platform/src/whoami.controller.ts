import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole, ROLES, type Principal, type Role } from './api-keys';

/** The principal of the API key a request was made with. */
export class WhoAmIView {
  @ApiProperty({ example: 'ana', description: "the API key's name (the person or system it was issued to)" })
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'analyst' })
  role!: Role;
}

/** `GET /auth/whoami` in every service: who the presented API key is, for a console deciding what to offer. */
@ApiTags('auth')
@Controller('auth')
export class WhoAmIController {
  @Get('whoami')
  @RequireRole('analyst')
  @ApiOperation({ summary: "The name and role of the API key's principal (any valid key; 401 without one)" })
  @ApiOkResponse({ type: WhoAmIView })
  whoami(@CurrentPrincipal() principal: Principal): WhoAmIView {
    return { name: principal.name, role: principal.role };
  }
}
