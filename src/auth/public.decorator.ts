import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'yardstick:public';
/** The endpoint needs no token (login, health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
