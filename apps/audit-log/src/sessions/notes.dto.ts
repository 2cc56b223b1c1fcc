import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class AddNoteDto {
  @ApiProperty({ description: 'the note; @name mentions a colleague', maxLength: 4000 })
  @IsString()
  @IsNotEmpty({ message: 'text must not be empty' })
  @MaxLength(4000)
  text!: string;
}

const MENTION = /(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]{0,63})/g;

/** Mentioned names, in order of first appearance, without trailing punctuation. */
export function mentionsIn(text: string): string[] {
  const names = [...text.matchAll(MENTION)].map((m) => m[1].replace(/[._-]+$/, ''));
  return [...new Set(names)];
}
