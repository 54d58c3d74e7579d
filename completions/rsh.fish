complete -c rsh -l host -d 'Server to connect to: host[:port][,host[:port]...], set/h1:p1,h2:p2, or a URI' -r -f -a "(__fish_print_hostnames)"
complete -c rsh -l port -d 'Port for every host that does not name one (default 27017)' -r
complete -c rsh -l eval -d 'JavaScript to run before the files; may be repeated' -r
complete -c rsh -l json -d 'Print results as Extended JSON (relaxed by default)' -r -f -a "relaxed\t''
canonical\t''"
complete -c rsh -l serverSelectionTimeoutMS -d 'How long a command waits for a suitable server, e.g. a primary during an election (default 30000)' -r
complete -c rsh -l jsHeapLimitMB -d 'Heap limit of the JavaScript engine in MB (0: none); a script passing it stops with an out-of-memory error' -r
complete -c rsh -s u -l username -d 'User name for authentication' -r
complete -c rsh -s p -l password -d 'Password for authentication; without a value it is asked for without echo' -r
complete -c rsh -l authenticationDatabase -d 'Database holding the user\'s credentials' -r
complete -c rsh -l authenticationMechanism -d 'Authentication mechanism (SCRAM-SHA-1, SCRAM-SHA-256, MONGODB-X509, ...)' -r
complete -c rsh -l tlsCAFile -l sslCAFile -d 'Certificate authority file' -r -F
complete -c rsh -l tlsCertificateKeyFile -l sslPEMKeyFile -d 'Client certificate and key (PEM)' -r -F
complete -c rsh -l tlsCertificateKeyFilePassword -l sslPEMKeyPassword -d 'Password of the client key file' -r
complete -c rsh -l shell -d 'Enter the interactive shell after running --eval and files'
complete -c rsh -l nodb -d 'Do not connect to a server'
complete -c rsh -l norc -d 'Do not run ~/.rshrc.js (or ~/.mongorc.js)'
complete -c rsh -l quiet -d 'Print less: no startup lines, no `bye`'
complete -c rsh -l color -d 'Colour output on a terminal (NO_COLOR turns it off)'
complete -c rsh -l verbose -d 'More log output'
complete -c rsh -l retryWrites -d 'Retry writes once on a retryable error (the default; retryWrites=false in the URI turns it off)'
complete -c rsh -l disableImplicitSessions -d 'Do not start implicit sessions'
complete -c rsh -l ipv6 -d 'Accepted for legacy scripts: IPv6 addresses always work (a note says so)'
complete -c rsh -l disableJavaScriptJIT -d 'Accepted for legacy scripts: the JavaScript engine has no JIT (a note says so)'
complete -c rsh -l tls -l ssl -d 'Use TLS for every connection'
complete -c rsh -l tlsAllowInvalidCertificates -l sslAllowInvalidCertificates -d 'Accept server certificates that do not validate'
complete -c rsh -l tlsAllowInvalidHostnames -l sslAllowInvalidHostnames -d 'Accept server certificates whose host name does not match'
complete -c rsh -s h -l help -d 'Print help'
complete -c rsh -s V -l version -d 'Print version'
