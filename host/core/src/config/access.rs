//! Who may use the HTTP API: `[api-token.NAME]` bearer tokens and `[api-user.NAME]` basic-auth
//! users, each with a role. Token values stay behind `env:`/`file:` references (read by the
//! HTTP layer at start) so the file itself holds no secret; users hold an argon2 PHC string,
//! checked here for shape only, so a pasted clear-text password is refused before start.

use std::collections::BTreeMap;

use super::plugins::parse_secret_ref;
use super::reader::{Ctx, Reader};
use super::root::Named;
use super::{ApiRole, ApiToken, ApiUser, Secret};

const ROLE_EXAMPLE: &str = "role = \"read\"";

/// Every `[api-token.NAME]`.
pub(crate) fn api_tokens(cx: &mut Ctx<'_>, sections: Vec<Named<'_>>) -> BTreeMap<String, ApiToken> {
    let mut out = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let example = "token = \"env:WARREN_API_TOKEN\"";
        let token = reader.required(cx, "token", example).and_then(|field| {
            let path = field.path.clone();
            let text = field.string(cx)?;
            parse_secret_ref(&text)
                .map_err(|why| cx.error_with(&path, why, example))
                .ok()
        });
        let role = role(cx, &mut reader);
        reader.finish(cx);
        if let (Some(token), Some(role)) = (token, role) {
            out.insert(name.clone(), ApiToken { name, token, role });
        }
    }
    out
}

/// Every `[api-user.NAME]`; the section name is the user name.
pub(crate) fn api_users(cx: &mut Ctx<'_>, sections: Vec<Named<'_>>) -> BTreeMap<String, ApiUser> {
    let mut out = BTreeMap::new();
    for Named { name, mut reader } in sections {
        let example =
            "password-hash = \"$argon2id$v=19$m=19456,t=2,p=1$...\" (from `warren hash-password`)";
        let hash = reader
            .required(cx, "password-hash", example)
            .and_then(|field| {
                let path = field.path.clone();
                let text = field.string(cx)?;
                check_phc(&text)
                    .map_err(|why| cx.error_with(&path, why, example))
                    .ok()?;
                Some(Secret::new(text))
            });
        let role = role(cx, &mut reader);
        reader.finish(cx);
        if let (Some(password_hash), Some(role)) = (hash, role) {
            out.insert(
                name.clone(),
                ApiUser {
                    name,
                    password_hash,
                    role,
                },
            );
        }
    }
    out
}

/// `role`, required: a forgotten role must not silently grant admin or lock the operator out.
fn role(cx: &mut Ctx<'_>, r: &mut Reader<'_>) -> Option<ApiRole> {
    let field = r.required(cx, "role", ROLE_EXAMPLE)?;
    let path = field.path.clone();
    match field.string(cx)?.as_str() {
        "read" => Some(ApiRole::Read),
        "admin" => Some(ApiRole::Admin),
        other => {
            let message = format!("unknown role {other:?}; expected \"read\" or \"admin\"");
            cx.error_with(&path, message, ROLE_EXAMPLE);
            None
        }
    }
}

/// An argon2 PHC string: `$argon2id$v=19$m=…,t=…,p=…$SALT$HASH`. The value is never echoed,
/// since a clear-text password may have been pasted here by mistake.
fn check_phc(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.split('$').collect();
    let algorithm_ok = matches!(parts.get(1), Some(&("argon2id" | "argon2i" | "argon2d")));
    if parts.len() == 6
        && parts[0].is_empty()
        && algorithm_ok
        && parts.iter().skip(2).all(|p| !p.is_empty())
    {
        Ok(())
    } else {
        Err(
            "expected an argon2 PHC string starting with \"$argon2id$\" (the value is not shown)"
                .to_owned(),
        )
    }
}
