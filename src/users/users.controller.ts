import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { CreateUserDto, UserDto, UserListDto } from './create-user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Create a user (admin only). 409 when the e-mail is taken. */
  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiCreatedResponse({ type: UserDto })
  async create(@Body() body: CreateUserDto): Promise<UserDto> {
    const { user } = await this.users.save(
      { email: body.email, password: body.password, role: body.role, agentId: body.agent_id ?? null, teamIds: body.team_ids ?? [] },
      { upsert: false },
    );
    return user;
  }

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: UserListDto })
  async list(): Promise<UserListDto> {
    return { users: await this.users.list() };
  }
}
