/**
 * Every word the screens show, in British English. Texts from the school's policy
 * (agreements, rules, reasons, contacts) are not here: the core sends them already chosen
 * for the user's locale. Keys ending in _one / _other are plural forms: the renderer
 * passes the message's number as `count`.
 *
 * Words are plain on purpose: a six-year-old and a screen-reader user must both follow
 * every screen.
 */
export const enGB = {
  'app.name': 'Classlock',
  'app.noBridge':
    'Classlock cannot talk to its background service, so it cannot show this screen. Please tell IT.',
  'app.errorPrefix': 'Error:',
  'app.sendFailed': 'That did not work. Please try again. If it keeps happening, tell IT.',

  'title.agreement': 'Agreement',
  'title.pinEnrol': 'Choose your PIN',
  'title.warning': 'Locking soon',
  'title.locked': 'Locked',
  'title.blocked': 'Access withdrawn',
  'title.loggingOff': 'Signing out',
  'title.endOfDay': 'The school day is ending',
  'title.notice': 'Notice',
  'title.none': 'Classlock',

  'method.pin': 'PIN',
  'method.ldap': 'School password',
  'method.override': 'IT override code',
  'method.use.pin': 'a PIN',
  'method.use.ldap': 'a school password',
  'method.use.override': 'the IT override code',

  'agreement.position': 'Agreement {{position}} of {{count}}',
  'agreement.kicker.pupil': 'Before you start',
  'agreement.kicker.staff': 'Staff agreement',
  'agreement.kicker.visitor': 'Visitor agreement',
  'agreement.intro.pupil': 'Please read this. It tells you how to use the school computers safely.',
  'agreement.intro.staff': 'Please read this agreement, then sign it by typing your name.',
  'agreement.intro.visitor':
    'Please read this agreement. A member of staff must stay with you while you use this computer.',
  'agreement.readAloud': 'Read it to me',
  'agreement.stopReading': 'Stop reading',
  'agreement.noVoices': 'This computer cannot read aloud. Ask a teacher to read it with you.',
  'agreement.scrollHint': 'Read to the end of the agreement, then say “I agree”.',
  'agreement.scrollHint.pupil': 'Scroll down to read it all, then say “I agree”.',
  'agreement.readToEnd': 'You have reached the end.',
  'agreement.heardToEnd': 'You have listened to the end.',
  'agreement.tick': 'I have read this and I will keep to it',
  'agreement.tick.promises': 'I will keep my promises',
  'agreement.changesTitle': 'What has changed since you last agreed',
  'agreement.errorSummary': 'There is a problem',
  'agreement.missing.read':
    'Read the agreement to the end: scroll down to the end, or press “Read it to me” and listen to the end.',
  'agreement.missing.read.noVoices': 'Read the agreement to the end: scroll down to the end.',
  'agreement.missing.tick': 'Tick the box to say you will keep to it.',
  'agreement.missing.name': 'Type your name to sign the agreement.',
  'agreement.accept': 'I agree',
  'agreement.decline': 'I don’t agree',
  'agreement.typedNameLabel': 'Type your name to sign',
  'agreement.typedNameHint':
    'Your name as you sign it, for example Jane Smith. If you have one name, that is enough.',
  'agreement.confirmTitle': 'Are you sure?',
  'agreement.confirmBody': 'If you do not agree, you will be signed out of this computer.',
  'agreement.goBack': 'Go back',
  'agreement.signOut': 'Sign me out',
  'agreement.nameRequired': 'Type your name to sign the agreement. One name is enough.',
  'agreement.saveFailed':
    'Your answer could not be saved. Please try again. If it keeps happening, tell IT.',

  'pin.title': 'Choose your unlock PIN',
  'pin.intro':
    'You will use this PIN to unlock the computer when it locks. Keep it to yourself and do not write it down.',
  'pin.rulesTitle': 'Your PIN must have',
  'pin.rule.length': '{{min}} to {{max}} characters',
  'pin.rule.letter': 'at least one letter',
  'pin.rule.digit': 'at least one number',
  'pin.rule.symbol': 'at least one symbol, such as ! # or ?',
  'pin.field': 'New PIN',
  'pin.confirmField': 'Type the same PIN again',
  'pin.save': 'Save my PIN',
  'pin.tooShort_one': 'Your PIN is too short. Use at least {{count}} character.',
  'pin.tooShort_other': 'Your PIN is too short. Use at least {{count}} characters.',
  'pin.tooLong_one': 'Your PIN is too long. Use no more than {{count}} character.',
  'pin.tooLong_other': 'Your PIN is too long. Use no more than {{count}} characters.',
  'pin.needsLetter': 'Your PIN needs at least one letter.',
  'pin.needsDigit': 'Your PIN needs at least one number.',
  'pin.needsSymbol': 'Your PIN needs at least one symbol, such as ! # or ?.',
  'pin.saveFailed':
    'Your PIN could not be saved. Please try again. If it keeps happening, tell IT.',
  'pin.mismatch': 'The two PINs are not the same. Type the same PIN in both boxes.',

  'warning.heading_one': 'Locking in {{count}} second',
  'warning.heading_other': 'Locking in {{count}} seconds',
  'warning.unit_one': 'second',
  'warning.unit_other': 'seconds',
  'warning.lead': 'This computer will lock soon because nobody has used it for a while.',
  'warning.body': 'Move the mouse or press a key to stay signed in.',
  'warning.body.pupil': 'Click or press a key to stay signed in.',
  'warning.announce_one':
    'This computer will lock in {{count}} second. Move the mouse or press a key to stay signed in.',
  'warning.announce_other':
    'This computer will lock in {{count}} seconds. Move the mouse or press a key to stay signed in.',
  'warning.announce.pupil_one':
    'This computer will lock in {{count}} second. Click or press a key to stay signed in.',
  'warning.announce.pupil_other':
    'This computer will lock in {{count}} seconds. Click or press a key to stay signed in.',
  'warning.stay': 'Stay signed in',
  'warning.hide': 'Hide the screen and tell a teacher',
  'warning.hideHint': 'Press this if you see something that worries or upsets you.',
  'warning.hideShortcut': 'You can also press {{shortcut}} at any time.',

  'locked.heading': 'This computer is locked',
  'locked.heading.concern': 'The screen is hidden',
  'locked.heading.visitor': 'Waiting for a member of staff',
  'locked.owner': 'Signed in: {{name}}',
  'locked.since': 'Locked since {{time}}',
  'locked.concernBody':
    'You did the right thing. Stay here and tell a teacher. A member of staff will come and help.',
  'locked.concernTold': '{{who}} has been told and is coming to help.',
  'locked.concernContact': 'The person who looks after worries like this is {{contact}}.',
  'locked.visitorBody':
    'A member of staff must start this visitor’s session before it can be used.',
  'locked.askTeacher': 'Ask your teacher to unlock this computer.',
  'locked.logoffAt':
    'If nobody unlocks it, this session will end at {{time}} to free the computer.',
  'locked.logoffAt.endOfDay':
    'The school day ends at {{time}}: this session will be signed out then.',
  'locked.rulesTitle': 'Remember',
  'locked.unlockTitle': 'Unlock',
  'locked.unlockTitle.staff': 'For staff',
  'locked.methodLegend': 'Unlock with',
  'locked.missing.username': 'Type a username first.',
  'locked.missing.secret': 'Type it in the box “{{label}}” first.',
  'locked.noPinTitle': 'No PIN on this computer?',
  'locked.noPinBody': 'Ask {{itContact}} to unlock it with the IT override code.',
  'locked.noPinLogoff': 'Or leave it: this session ends by itself at {{time}}.',
  'locked.forgotTitle': 'Forgotten your PIN?',
  'locked.forgotReset':
    'Ask {{itContact}} to reset it. You will choose a new PIN the next time you sign in.',
  'locked.forgotLdap': 'You can use your school password instead: choose “School password” above.',
  'locked.forgotOverride': 'Until then, IT can unlock this computer with the IT override code.',
  'locked.username': 'Username',
  'locked.username.staff': 'Staff username',
  'locked.secret.pin': 'Your PIN',
  'locked.secret.ldap': 'Your school password',
  'locked.secret.override': 'Override code',
  'locked.secret.staff.pin': 'Staff PIN',
  'locked.secret.staff.ldap': 'Staff school password',
  'locked.secret.staff.override': 'Override code',
  'locked.unlock': 'Unlock',
  'locked.unlock.concern': 'Return to the session',
  'locked.unlock.visitor': 'Start the visitor session',
  'locked.endSession': 'End this session',
  'locked.secondary': 'Use the main screen to unlock.',

  'unlock.wrong': 'That was not right. Please try again.',
  'unlock.wrong_one': 'That was not right. You have {{count}} more try before you must wait.',
  'unlock.wrong_other': 'That was not right. You have {{count}} more tries before you must wait.',
  'unlock.wait_one': 'Too many tries. Please wait {{count}} second, then try again.',
  'unlock.wait_other': 'Too many tries. Please wait {{count}} seconds, then try again.',
  'unlock.unavailable': '{{methodName}} cannot be checked right now. Use {{nextName}} instead.',
  'unlock.unavailable.noOther':
    '{{methodName}} cannot be checked right now. Please try again in a few minutes, or call IT.',
  'unlock.refused': 'Unlocking was refused.',
  'unlock.pinUnavailable':
    'There is no PIN for that account that this computer can check. Use {{nextName}} instead.',
  'unlock.directoryDown':
    'The school directory cannot be reached, so school passwords cannot be checked right now. Use {{nextName}} instead.',
  'unlock.alreadyChosen': 'It is already chosen for you.',
  'unlock.notAllowed': 'That account is not allowed to unlock this session.',
  'service.unavailable':
    "Classlock's machine service is not running, so this computer stays covered. Please tell IT; nothing can be unlocked here until the service is back.",
  'session.endedByStaff': 'A member of staff ended this session.',

  'blocked.heading.network': 'Your network access has been turned off',
  'blocked.heading.internet': 'Your internet access has been turned off',
  'blocked.heading.optOut': 'Internet access is turned off for you',
  'blocked.optOutBody':
    'Your parent or carer has asked the school not to let you use the internet. You can still use the computer and the school network.',
  'blocked.internetBody': 'You can still use the computer and the school network.',
  'blocked.continue': 'I understand',
  'blocked.why': 'Why?',
  'blocked.until': 'Until',
  'blocked.untilLifted': 'Until a member of staff lifts it',
  'blocked.whoToSee': 'Who to see',
  'blocked.logoffIn_one': 'You will be signed out in {{count}} second.',
  'blocked.logoffIn_other': 'You will be signed out in {{count}} seconds.',
  'blocked.logoffInMinutes_one': 'You will be signed out in about {{count}} minute.',
  'blocked.logoffInMinutes_other': 'You will be signed out in about {{count}} minutes.',
  'blocked.logoffAt': 'You will be signed out at {{time}}.',
  'blocked.saveNow': 'Save your work now.',
  'blocked.goBack': 'Go back and save my work',

  'endOfDay.heading': 'The school day is ending',
  'endOfDay.at_one': 'This computer will sign you out at {{time}}, in about {{count}} minute.',
  'endOfDay.at_other': 'This computer will sign you out at {{time}}, in about {{count}} minutes.',
  'endOfDay.body':
    'Save your work and close your programs now. Anything not saved by then will be lost.',
  'endOfDay.continue': 'I will save my work now',

  'loggingOff.heading': 'Signing you out',
  'loggingOff.declined': 'You did not agree to the agreement, so you are being signed out.',
  'loggingOff.sanction': 'Your network access has been turned off, so you are being signed out.',
  'loggingOff.idle': 'Nobody used this computer for a long time, so this session is ending.',
  'loggingOff.endOfDay': 'The school day has ended, so this session is ending.',
  'loggingOff.visitorTimeUp': 'The time for this visitor session is over.',
  'loggingOff.endedByStaff': 'A member of staff ended this session.',
  'loggingOff.wait': 'Please wait. This takes a few seconds.',

  'secondary.useMain': 'Please use the main screen.',

  'notice.close': 'Close',
} as const;

export type MessageKey = keyof typeof enGB;
/** A catalogue for another locale: any key may be missing (English is used instead). */
export type Catalogue = Partial<Record<MessageKey, string>>;
