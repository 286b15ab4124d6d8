import { ApiProperty } from '@nestjs/swagger';
import { IMPORT_ORDER } from './import-entities';

export class ImportSummaryDto {
  @ApiProperty({ enum: IMPORT_ORDER }) entity!: string;
  @ApiProperty({ description: 'data rows in the file' }) rows!: number;
  @ApiProperty({ description: 'rows whose id was new' }) inserted!: number;
  @ApiProperty({ description: 'rows whose record changed' }) updated!: number;
  @ApiProperty({ description: 'rows identical to the stored record' }) unchanged!: number;
}

export class ImportRowErrorDto {
  @ApiProperty({ nullable: true, type: Number, description: 'line of the file (the header is line 1)' }) line!: number | null;
  @ApiProperty({ nullable: true, type: String }) column!: string | null;
  @ApiProperty({ nullable: true, type: String }) value!: string | null;
  @ApiProperty() reason!: string;
}

export class ImportProblemDto {
  @ApiProperty() type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() status!: number;
  @ApiProperty() detail!: string;
  @ApiProperty({ description: 'number of invalid rows/fields (errors lists at least the first 1,000)' }) total_errors!: number;
  @ApiProperty({ type: [ImportRowErrorDto] }) errors!: ImportRowErrorDto[];
}
