import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor';
import { RequestActor } from './request-actor';
import { RequireRole } from './roles.decorator';
import { CreatedTokenDto, CreateTokenDto, TokenDto } from './tokens.dto';
import { TokensService } from './tokens.service';

@ApiTags('people')
@ApiBearerAuth()
@Controller('api/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Create a personal API token (shown once) with at most your own role' })
  @ApiCreatedResponse({ type: CreatedTokenDto })
  async create(@Body() body: CreateTokenDto, @RequestActor() actor: Actor): Promise<CreatedTokenDto> {
    const created = await this.tokens.create(actor, body.name, body.role);
    return { ...TokenDto.of(created), token: created.token };
  }

  @Get()
  @RequireRole('viewer')
  @ApiOperation({ summary: 'Your personal tokens (an admin sees everyone’s)' })
  @ApiOkResponse({ type: [TokenDto] })
  async list(@RequestActor() actor: Actor): Promise<TokenDto[]> {
    return (await this.tokens.list(actor)).map((token) => TokenDto.of(token));
  }

  @Delete(':id')
  @RequireRole('viewer')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke a token (yours; an admin any)' })
  async revoke(@Param('id', ParseUUIDPipe) id: string, @RequestActor() actor: Actor): Promise<void> {
    await this.tokens.revoke(actor, id);
  }
}
