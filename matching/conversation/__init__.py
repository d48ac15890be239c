"""The partners' thread: proposed partners write to each other before they answer, agree on an
intro call, and keep the same thread as their channel once they are partners.

Only the pair's members read it (coordinators don't); each message is emailed to the other
members without revealing anyone's contact details before everyone has accepted. `services`
writes messages and intro calls, `selectors` reads the thread page, `views`/`forms`/`urls`
serve it.
"""
