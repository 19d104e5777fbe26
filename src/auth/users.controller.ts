import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../common/actor';
import { RequestActor } from './request-actor';
import { RequireRole } from './roles.decorator';
import { CreatedUserDto, CreateUserDto, UpdateUserDto, UserDto } from './users.dto';
import { UsersService } from './users.service';

@ApiTags('people')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequireRole('admin')
  @ApiOperation({ summary: 'Add a person (with a password, or get an invitation token to hand them)' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  async create(@Body() body: CreateUserDto, @RequestActor() actor: Actor): Promise<CreatedUserDto> {
    const { user, inviteToken } = await this.users.create(body, actor);
    return { ...UserDto.of(user), inviteToken };
  }

  @Get()
  @RequireRole('admin')
  @ApiOkResponse({ type: [UserDto] })
  async list(): Promise<UserDto[]> {
    return (await this.users.list()).map((user) => UserDto.of(user));
  }

  @Patch(':id')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Rename, change the role, disable or enable a person' })
  @ApiOkResponse({ type: UserDto })
  async update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateUserDto,
    @RequestActor() actor: Actor,
  ): Promise<UserDto> {
    return UserDto.of(await this.users.update(id, body, actor));
  }

  @Delete(':id')
  @RequireRole('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('id', ParseUUIDPipe) id: string, @RequestActor() actor: Actor): Promise<void> {
    await this.users.remove(id, actor);
  }
}
