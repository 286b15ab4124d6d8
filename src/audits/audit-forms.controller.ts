import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator';
import type { Principal } from '../auth/principal';
import { Roles } from '../auth/roles.decorator';
import { FormDetailDto, FormListDto, FormListQueryDto, FormVersionDto, RetireFormDto, SaveAuditFormDto } from './audit-form.dto';
import { AuditFormsService } from './audit-forms.service';
import { IdPipe } from './id.pipe';

const READERS = ['admin', 'hr', 'manager', 'auditor'] as const;
const EDITORS = ['admin', 'hr', 'manager'] as const;

/** Mystery-shopper audit forms: versioned; a version never changes, an edit adds one. */
@ApiTags('audits')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'role not allowed (problem details)' })
@Controller('api/v1/audit-forms')
export class AuditFormsController {
  constructor(private readonly forms: AuditFormsService) {}

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'Audit forms (each form’s latest version)' })
  @ApiOkResponse({ type: FormListDto })
  async list(@Query() q: FormListQueryDto): Promise<FormListDto> {
    return { forms: await this.forms.list({ activeOnly: q.status === 'active' }) };
  }

  @Get(':form_id')
  @Roles(...READERS)
  @ApiOperation({ summary: 'An audit form: its latest version and the list of all versions' })
  @ApiOkResponse({ type: FormDetailDto })
  @ApiNotFoundResponse({ description: 'unknown form' })
  get(@Param('form_id', IdPipe) formId: number): Promise<FormDetailDto> {
    return this.forms.get(formId);
  }

  @Get(':form_id/versions/:version')
  @Roles(...READERS)
  @ApiOperation({ summary: 'One version of an audit form (as audits scored with it see it)' })
  @ApiOkResponse({ type: FormVersionDto })
  @ApiNotFoundResponse({ description: 'unknown form or version' })
  version(@Param('form_id', IdPipe) formId: number, @Param('version', IdPipe) version: number): Promise<FormVersionDto> {
    return this.forms.getVersion(formId, version);
  }

  @Post()
  @HttpCode(201)
  @Roles(...EDITORS)
  @ApiOperation({ summary: 'Create an audit form (version 1)' })
  @ApiCreatedResponse({ type: FormDetailDto })
  @ApiUnprocessableEntityResponse({ description: 'invalid definition: each problem names its field, e.g. sections[1].criteria[0].weight' })
  create(@Body() body: SaveAuditFormDto, @CurrentUser() user: Principal): Promise<FormDetailDto> {
    return this.forms.create(body, user);
  }

  @Put(':form_id')
  @Roles(...EDITORS)
  @ApiOperation({
    summary: 'Edit an audit form: adds a version',
    description:
      'Saves the definition as version n+1 and retires version n (superseded): audits keep the version they were scored with, new audits use the new one. ' +
      'An unchanged definition changes nothing. Editing a retired form makes it active again.',
  })
  @ApiOkResponse({ type: FormDetailDto })
  @ApiUnprocessableEntityResponse({ description: 'invalid definition' })
  update(@Param('form_id', IdPipe) formId: number, @Body() body: SaveAuditFormDto, @CurrentUser() user: Principal): Promise<FormDetailDto> {
    return this.forms.update(formId, body, user);
  }

  @Post(':form_id/retire')
  @HttpCode(200)
  @Roles(...EDITORS)
  @ApiOperation({ summary: 'Retire an audit form: its latest version is rejected for new audits' })
  @ApiOkResponse({ type: FormDetailDto })
  @ApiConflictResponse({ description: 'already retired' })
  retire(@Param('form_id', IdPipe) formId: number, @Body() body: RetireFormDto, @CurrentUser() user: Principal): Promise<FormDetailDto> {
    return this.forms.retire(formId, body.reason, user);
  }
}
