"""Moderation: the moderators' review queue, their tools in the admin and the forms they use.

`reads` names what the queue shows, `forms` what a moderator sends, `views` the queue screens,
`admin` the bans, blocked terms, section policies and the log, `disclosure_admin` the
superuser's disclosure flow. Every decision is written by one service in `comments.services`,
which checks the permission again and records it in the moderation log.
"""
