# fish completion for calsync
set -l commands init authorize integrations disconnect status
complete -c calsync -f
complete -c calsync -n "not __fish_seen_subcommand_from $commands" -a init -d 'create or migrate the database and key file'
complete -c calsync -n "not __fish_seen_subcommand_from $commands" -a authorize -d 'connect a Google or Microsoft account'
complete -c calsync -n "not __fish_seen_subcommand_from $commands" -a integrations -d 'list, show or check connected accounts'
complete -c calsync -n "not __fish_seen_subcommand_from $commands" -a disconnect -d 'revoke an integration'
complete -c calsync -n "not __fish_seen_subcommand_from $commands" -a status -d 'what needs attention'

# global options
complete -c calsync -l config -r -F -d 'configuration file'
complete -c calsync -s v -l verbose -d 'more log detail'
complete -c calsync -s q -l quiet -d 'log errors only'
complete -c calsync -l json -d 'machine-readable output'
complete -c calsync -l version -d 'print the version'
complete -c calsync -s h -l help -d 'print help'
complete -c calsync -l db -r -F -d 'state database'
complete -c calsync -l key-file -r -F -d 'token encryption key'
complete -c calsync -l public-url -r -d 'public base URL of the webhook receiver'
complete -c calsync -l allow-insecure-http -d 'allow plain http to non-loopback hosts'
complete -c calsync -l http-timeout -r -d 'total time for one HTTP request'
complete -c calsync -l connect-timeout -r -d 'time to connect'
complete -c calsync -l google-client-id -r -d 'Google OAuth client id'
complete -c calsync -l google-client-secret -r -d 'Google OAuth client secret'
complete -c calsync -l google-client-secret-file -r -F -d 'file with the Google client secret'
complete -c calsync -l google-auth-url -r -d 'Google authorization endpoint'
complete -c calsync -l google-token-url -r -d 'Google token endpoint'
complete -c calsync -l google-revoke-url -r -d 'Google revocation endpoint'
complete -c calsync -l google-userinfo-url -r -d 'Google userinfo endpoint'
complete -c calsync -l google-api-url -r -d 'Google Calendar API base URL'
complete -c calsync -l microsoft-client-id -r -d 'Microsoft application id'
complete -c calsync -l microsoft-client-secret -r -d 'Microsoft client secret'
complete -c calsync -l microsoft-client-secret-file -r -F -d 'file with the Microsoft client secret'
complete -c calsync -l microsoft-tenant -r -a 'common organizations consumers' -d 'Entra tenant'
complete -c calsync -l microsoft-authority-url -r -d 'Microsoft identity platform host'
complete -c calsync -l microsoft-graph-url -r -d 'Microsoft Graph base URL'

# authorize
complete -c calsync -n "__fish_seen_subcommand_from authorize" -a 'google microsoft'
complete -c calsync -n "__fish_seen_subcommand_from authorize" -l org -r -d 'organization'
complete -c calsync -n "__fish_seen_subcommand_from authorize" -l listen -r -d 'loopback redirect address'
complete -c calsync -n "__fish_seen_subcommand_from authorize" -l device -d 'Microsoft device code flow'
complete -c calsync -n "__fish_seen_subcommand_from authorize" -l timeout -r -d 'how long to wait'
# integrations
complete -c calsync -n "__fish_seen_subcommand_from integrations; and not __fish_seen_subcommand_from list show check" -a 'list show check'
# disconnect
complete -c calsync -n "__fish_seen_subcommand_from disconnect" -l purge -d 'also delete synced calendar data'
