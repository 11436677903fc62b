"""The gettext catalogs: messages.pot (extracted from the code and templates by
``make messages``) and one <language>/LC_MESSAGES/messages.po per shipped language, compiled
in memory when first used (reporter.i18n). See docs/translating.md."""
