#!/bin/sh
# The page: the text given to the entrypoint, as http-echo answers it.
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n%s\n' "$ECHO_TEXT"
