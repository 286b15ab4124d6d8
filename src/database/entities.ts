import { Agent } from '../crm/agent.entity';
import { Assignment } from '../crm/assignment.entity';
import { Customer } from '../crm/customer.entity';
import { Order } from '../crm/order.entity';
import { Team } from '../crm/team.entity';
import { Ticket } from '../crm/ticket.entity';
import { Survey } from '../crm/survey.entity';
import { Training } from '../crm/training.entity';
import { ImportBatch } from '../imports/import-batch.entity';
import { FeedbackAssignment, FeedbackCompetency, FeedbackCycle, FeedbackQuestion, FeedbackSubject } from '../feedback/feedback-cycle.entity';
import { FeedbackAnswer, FeedbackComment, FeedbackResponse } from '../feedback/feedback-response.entity';
import { FeedbackChange } from '../feedback/feedback-change.entity';
import { User, UserTeam } from '../users/user.entity';
import { PeriodSnapshot, SnapshotSubject } from '../periods/period-snapshot.entity';
import { ScorecardTemplate, ScorecardTemplateVersion } from '../scorecards/scorecard-template.entity';
import { AuditForm, AuditFormRetirement, AuditFormVersion } from '../audits/audit-form.entity';
import { Audit } from '../audits/audit.entity';
import { AuditDispute } from '../audits/audit-dispute.entity';
import { AuditLogEntry } from '../audits/audit-log.entity';
import { CalibrationScore, CalibrationSession } from '../audits/calibration.entity';
import { WinBackContact, WinBackTask, WinBackTaskEvent } from '../retention/win-back-task.entity';
import { Report, ReportDownload } from '../reports/report.entity';
import { SnapshotSection } from '../reports/snapshot-section.entity';
import { Run } from '../runs/run.entity';
import { Subscription } from '../delivery/subscription.entity';
import { Delivery, DeliveryAttempt, DeliveryReport } from '../delivery/delivery.entity';

/** Every entity of the schema; the migrations are generated from these. */
export const ENTITIES = [
  Team,
  Agent,
  Customer,
  Assignment,
  Order,
  Ticket,
  Survey,
  Training,
  ImportBatch,
  User,
  UserTeam,
  ScorecardTemplate,
  ScorecardTemplateVersion,
  PeriodSnapshot,
  SnapshotSubject,
  FeedbackCycle,
  FeedbackCompetency,
  FeedbackQuestion,
  FeedbackSubject,
  FeedbackAssignment,
  FeedbackResponse,
  FeedbackAnswer,
  FeedbackComment,
  FeedbackChange,
  AuditForm,
  AuditFormVersion,
  AuditFormRetirement,
  Audit,
  AuditDispute,
  AuditLogEntry,
  CalibrationSession,
  CalibrationScore,
  Run,
  Report,
  ReportDownload,
  SnapshotSection,
  Subscription,
  Delivery,
  DeliveryReport,
  DeliveryAttempt,
  WinBackTask,
  WinBackContact,
  WinBackTaskEvent,
];
