// The one error model of calsync. Every failure that reaches `main` is one of
// these; `main` maps them to the documented exit codes. Messages carry context
// ("google: token refresh for integration 3: invalid_grant") and never secrets.
#pragma once

#include <stdexcept>
#include <string>

namespace calsync {

enum ExitCode : int {
    kExitOk = 0,
    kExitPartial = 1,       // the job ran but some items failed
    kExitUsage = 2,         // bad command line
    kExitConfig = 3,        // missing key, bad config
    kExitReauth = 4,        // an integration needs re-authorization
    kExitTemporary = 75,    // provider unreachable, database busy: retry later
};

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
    virtual int exit_code() const { return kExitPartial; }
};

class UsageError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return kExitUsage; }
};

class ConfigError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return kExitConfig; }
};

// The provider refused our grant (invalid_grant): a person must authorize again.
class ReauthRequired : public Error {
public:
    using Error::Error;
    int exit_code() const override { return kExitReauth; }
};

// Worth retrying later: network down, provider 5xx after retries, database busy.
class TemporaryError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return kExitTemporary; }
};

// A provider answered with an error that retrying will not fix.
class ProviderError : public Error {
public:
    ProviderError(const std::string& what, long status, std::string code = {})
        : Error(what), status_(status), code_(std::move(code)) {}
    long status() const { return status_; }
    const std::string& code() const { return code_; }

private:
    long status_;
    std::string code_;
};

// Sealed data did not open: wrong key, tampered row.
class CryptoError : public Error {
public:
    using Error::Error;
    int exit_code() const override { return kExitConfig; }
};

// Bad input from outside (a redirect, a payload); the operation is refused.
class InputError : public Error {
public:
    using Error::Error;
};

}  // namespace calsync
