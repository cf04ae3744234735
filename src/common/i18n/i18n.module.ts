import { Global, Module } from '@nestjs/common';
import { AcceptLanguageResolver, I18nModule } from 'nestjs-i18n';
import { BundledI18nLoader } from './i18n.loader';
import { Translator } from './translator';

/**
 * Messages in Chinese (the default) and English, through nestjs-i18n. Only answers that carry
 * words (errors, import row reports) are translated, by `Translator`, which reads the language
 * from `Accept-Language` itself: no per-request middleware or async context is needed.
 */
@Global()
@Module({
  imports: [
    I18nModule.forRoot({
      fallbackLanguage: 'zh-CN',
      loader: BundledI18nLoader,
      loaderOptions: {},
      // The interceptor nestjs-i18n always adds reads the language too; Translator reads it for errors raised before it.
      resolvers: [AcceptLanguageResolver],
      disableMiddleware: true,
      skipAsyncHook: true,
      logging: false,
    }),
  ],
  providers: [Translator],
  exports: [Translator],
})
export class AppI18nModule {}
