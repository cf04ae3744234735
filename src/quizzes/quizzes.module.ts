import { Module } from '@nestjs/common';
import { ClassesModule } from '../classes/classes.module';
import { CoursesModule } from '../courses/courses.module';
import { EnrolmentsModule } from '../enrolments/enrolments.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OrgUnitsModule } from '../org-units/org-units.module';
import { UsersModule } from '../users/users.module';
import { AttemptsController } from './attempts.controller';
import { AttemptsService } from './attempts.service';
import { QuizSchedulingService } from './quiz-scheduling.service';
import { QuizzesController } from './quizzes.controller';
import { QuizzesService } from './quizzes.service';
import { QuizResultsController } from './quiz-results.controller';
import { QuizResultsService } from './quiz-results.service';
import { QuestionImagesController } from './question-images.controller';
import { QuestionsController } from './questions.controller';
import { QuestionsImportService } from './questions-import.service';
import { QuestionsService } from './questions.service';

/**
 * The question bank, quizzes and contests of a class, attempts with server-owned deadlines,
 * and what is read from them: grades, leaderboards, statistics.
 */
@Module({
  imports: [ClassesModule, CoursesModule, EnrolmentsModule, UsersModule, NotificationsModule, OrgUnitsModule],
  controllers: [
    QuestionsController,
    QuestionImagesController,
    QuizzesController,
    AttemptsController,
    QuizResultsController,
  ],
  providers: [
    QuestionsService,
    QuestionsImportService,
    QuizzesService,
    AttemptsService,
    QuizSchedulingService,
    QuizResultsService,
  ],
  exports: [
    QuestionsService,
    QuestionsImportService,
    QuizzesService,
    AttemptsService,
    QuizSchedulingService,
    QuizResultsService,
  ],
})
export class QuizzesModule {}
