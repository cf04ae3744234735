import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AcceptLanguageResolver, I18nModule } from 'nestjs-i18n';
import { BundledI18nLoader } from './i18n.loader';
import { Translator } from './translator';

const isGlobalInterceptor = (p: Provider) => typeof p === 'object' && 'provide' in p && p.provide === APP_INTERCEPTOR;

/**
 * nestjs-i18n with our bundled translations. It always registers a global interceptor that
 * resolves every request's language; `Translator` reads `Accept-Language` itself where a
 * message is written (errors, import reports), so that interceptor is left out: it put an
 * RxJS chain on every route, the largest cost of an authenticated read after the database
 * (see bench/). The resolver is named only because nestjs-i18n complains without one.
 */
function i18nWithoutInterceptor(): DynamicModule {
  const module = I18nModule.forRoot({
    fallbackLanguage: 'zh-CN',
    loader: BundledI18nLoader,
    loaderOptions: {},
    resolvers: [AcceptLanguageResolver],
    disableMiddleware: true,
    skipAsyncHook: true,
    logging: false,
  });
  return { ...module, providers: (module.providers ?? []).filter((p) => !isGlobalInterceptor(p)) };
}

/** Messages in Chinese (the default) and English, through nestjs-i18n and `Translator`. */
@Global()
@Module({ imports: [i18nWithoutInterceptor()], providers: [Translator], exports: [Translator] })
export class AppI18nModule {}
