import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Principal } from '@meridian/contracts';
import { AuthenticationError } from '@meridian/errors';
import { User } from '@meridian/persistence';

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** The active user behind a principal; every service resolves it itself rather than trusting the edge for roles. */
  async resolve(principal: Principal): Promise<User> {
    const user = await this.users.findOne({ where: { username: principal.username } });
    if (!user || !user.active) {
      throw new AuthenticationError('User not found', { username: principal.username });
    }
    return user;
  }
}
