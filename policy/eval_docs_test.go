package policy

import (
	"testing"

	"github.com/rolecall/rolecall/catalog"
)

// The worked examples of AWS's documentation that state an outcome, each
// encoded with the documented policies and request. Placeholders such as
// "account-id" are replaced with concrete values.

func managed(t *testing.T, name string) *Policy {
	t.Helper()
	mp, ok := catalog.LookupManagedPolicy(name)
	if !ok {
		t.Fatalf("managed policy %s not in the catalog", name)
	}
	return pol(t, TypeIdentity, mp.ARN, mp.Document)
}

// reference_policies_evaluation-logic.md, "Example identity-based and
// resource-based policy evaluation".
func TestDocEvaluationLogicCarlos(t *testing.T) {
	const carlos = "arn:aws:iam::123456789012:user/carlossalazar"
	identity := pol(t, TypeIdentity, "carlos", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowS3ListRead",
            "Effect": "Allow",
            "Action": [
                "s3:GetBucketLocation",
                "s3:GetAccountPublicAccessBlock",
                "s3:ListAccessPoints",
                "s3:ListAllMyBuckets"
            ],
            "Resource": "arn:aws:s3:::*"
        },
        {
            "Sid": "AllowS3Self",
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::carlossalazar/*",
                "arn:aws:s3:::carlossalazar"
            ]
        },
        {
            "Sid": "DenyS3Logs",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::*log*"
        }
    ]
}`)
	bucket := pol(t, TypeResource, "carlossalazar-bucket", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": "arn:aws:iam::123456789012:user/carlossalazar"
            },
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::carlossalazar/*",
                "arn:aws:s3:::carlossalazar"
            ]
        }
    ]
}`)
	put := func(resource string) Request {
		return in(req(t, carlos, "s3:PutObject", resource), "123456789012")
	}
	runEval(t, []evalCase{
		// "It finds one, because the identity-based policy explicitly denies
		// Carlos access to any S3 buckets used for logging."
		{"save to carlossalazar-logs", Set{Identity: []*Policy{identity}}, put("arn:aws:s3:::carlossalazar-logs/file.txt"), ExplicitDeny, ReasonDenyIdentity},
		// "Both the identity-based policy and the resource-based policy
		// allow the request. Therefore, AWS allows the request."
		{"save to carlossalazar", Set{Identity: []*Policy{identity}, Resource: bucket}, put("arn:aws:s3:::carlossalazar/file.txt"), Allowed, ReasonResourceAllows},
		// "If one of the policy types allows the request and the other
		// doesn't, the request is still allowed."
		{"identity policy alone", Set{Identity: []*Policy{identity}}, put("arn:aws:s3:::carlossalazar/file.txt"), Allowed, ReasonIdentityAllows},
		{"bucket policy alone", Set{Resource: bucket}, put("arn:aws:s3:::carlossalazar/file.txt"), Allowed, ReasonResourceAllows},
		{"neither allows another bucket", Set{Identity: []*Policy{identity}, Resource: bucket}, put("arn:aws:s3:::other/file.txt"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}

// reference_policies_evaluation-logic.md, "The difference between explicit
// and implicit denies".
func TestDocExplicitImplicitDeny(t *testing.T) {
	p := pol(t, TypeIdentity, "AllowGetList-DenyReports", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowGetList",
            "Effect": "Allow",
            "Action": [
                "iam:Get*",
                "iam:List*"
            ],
            "Resource": "*"
        },
        {
            "Sid": "DenyReports",
            "Effect": "Deny",
            "Action": "iam:*Report",
            "Resource": "*"
        }
    ]
}`)
	reports := pol(t, TypeIdentity, "reports", allowDoc("iam:GenerateCredentialReport", "*"))
	ids := []*Policy{p}
	runEval(t, []evalCase{
		{"Get allowed", Set{Identity: ids}, req(t, userAlice, "iam:GetUser", "*"), Allowed, ReasonIdentityAllows},
		{"List allowed", Set{Identity: ids}, req(t, userAlice, "iam:ListRoles", "*"), Allowed, ReasonIdentityAllows},
		{"CreatePolicy implicitly denied", Set{Identity: ids}, req(t, userAlice, "iam:CreatePolicy", "*"), ImplicitDeny, ReasonNoIdentityAllow},
		{"GetOrganizationsAccessReport explicitly denied", Set{Identity: ids}, req(t, userAlice, "iam:GetOrganizationsAccessReport", "*"), ExplicitDeny, ReasonDenyIdentity},
		{"GenerateCredentialReport denied despite another policy", Set{Identity: []*Policy{p, reports}}, req(t, userAlice, "iam:GenerateCredentialReport", "*"), ExplicitDeny, ReasonDenyIdentity},
	})
}

// reference_policies_evaluation-logic.md, "Resource-based policies and
// implicit denies in other policy types (same account)", and the same list
// in access_policies_boundaries.md, with the documents' example ARNs.
func TestDocResourcePolicyPrincipalTypes(t *testing.T) {
	const (
		role    = "arn:aws:iam::111122223333:role/examplerole"
		session = "arn:aws:sts::111122223333:assumed-role/examplerole/examplerolesessionname"
		user    = "arn:aws:iam::111122223333:user/exampleuser"
		fed     = "arn:aws:sts::111122223333:federated-user/exampleuser"
		obj     = "arn:aws:s3:::example-bucket/k"
	)
	grant := func(principal string) *Policy {
		return pol(t, TypeResource, "grant-"+principal, grantDoc(`{"AWS":"`+principal+`"}`, "s3:GetObject", "arn:aws:s3:::example-bucket/*"))
	}
	boundary := pol(t, TypeBoundary, "pb", allowDoc("ec2:*", "*"))
	session0 := pol(t, TypeSession, "sp", allowDoc("ec2:*", "*"))
	identity := pol(t, TypeIdentity, "id", allowDoc("ec2:*", "*"))
	get := func(caller string) Request { return in(req(t, caller, "s3:GetObject", obj), "111122223333") }
	runEval(t, []evalCase{
		// "IAM role – Resource-based policies that grant permissions to an
		// IAM role ARN are limited by an implicit deny in a permissions
		// boundary or session policy."
		{"role ARN, boundary", Set{Resource: grant(role), Boundary: boundary}, get(session), ImplicitDeny, ReasonNoBoundaryAllow},
		{"role ARN, session policy", Set{Resource: grant(role), Session: []*Policy{session0}}, get(session), ImplicitDeny, ReasonNoSessionAllow},
		{"role ARN, identity policy silent", Set{Resource: grant(role), Identity: []*Policy{identity}}, get(session), Allowed, ReasonResourceAllows},
		// "IAM role session – ... not limited by an implicit deny in an
		// identity-based policy, a permissions boundary, or session policy."
		{"session ARN", Set{Resource: grant(session), Identity: []*Policy{identity}, Boundary: boundary, Session: []*Policy{session0}}, get(session), Allowed, ReasonResourceAllows},
		// "IAM user – ... not limited by an implicit deny in an
		// identity-based policy or permissions boundary."
		{"user ARN", Set{Resource: grant(user), Identity: []*Policy{identity}, Boundary: boundary}, get(user), Allowed, ReasonResourceAllows},
		// "IAM federated user sessions – ... not limited by an implicit deny
		// in an identity-based policy, a permissions boundary, or session
		// policy."
		{"federated user ARN", Set{Resource: grant(fed), Identity: []*Policy{identity}, Boundary: boundary, Session: []*Policy{session0}}, get(fed), Allowed, ReasonResourceAllows},
	})
}

// reference_policies_evaluation-logic-cross-account.md, "Example
// cross-account policy evaluation".
func TestDocCrossAccountCarlos(t *testing.T) {
	const carlos = "arn:aws:iam::111111111111:user/carlossalazar"
	identity := pol(t, TypeIdentity, "carlos", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowS3ListRead",
            "Effect": "Allow",
            "Action": "s3:ListAllMyBuckets",
            "Resource": "*"
        },
        {
            "Sid": "AllowS3ProductionObjectActions",
            "Effect": "Allow",
            "Action": "s3:*Object*",
            "Resource": "arn:aws:s3:::Production/*"
        },
        {
            "Sid": "DenyS3Logs",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::*log*",
                "arn:aws:s3:::*log*/*"
            ]
        }
    ]
}`)
	production := pol(t, TypeResource, "Production", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:GetObject*",
                "s3:PutObject*",
                "s3:ReplicateObject",
                "s3:RestoreObject"
            ],
            "Principal": { "AWS": "arn:aws:iam::111111111111:user/carlossalazar" },
            "Resource": "arn:aws:s3:::Production/*"
        }
    ]
}`)
	at := func(action, resource string) Request {
		return in(req(t, carlos, action, resource), "222222222222")
	}
	runEval(t, []evalCase{
		// "Because the request is explicitly denied within one of the
		// accounts, the final decision is to deny the request." (No bucket
		// policy on Production-logs.)
		{"save to Production-logs", Set{Identity: []*Policy{identity}}, at("s3:PutObject", "arn:aws:s3:::Production-logs/file.txt"), ExplicitDeny, ReasonDenyIdentity},
		// "Because both accounts allow the request, the final decision is to
		// allow the request."
		{"save to Production", Set{Identity: []*Policy{identity}, Resource: production}, at("s3:PutObject", "arn:aws:s3:::Production/file.txt"), Allowed, ReasonIdentityAllows},
		{"read from Production", Set{Identity: []*Policy{identity}, Resource: production}, at("s3:GetObjectAcl", "arn:aws:s3:::Production/file.txt"), Allowed, ReasonIdentityAllows},
		// "He can create and edit, but not delete the objects in the bucket.
		// He can't manage the bucket itself."
		{"delete from Production", Set{Identity: []*Policy{identity}, Resource: production}, at("s3:DeleteObject", "arn:aws:s3:::Production/file.txt"), ImplicitDeny, ReasonNoResourceAllow},
		{"manage the bucket", Set{Identity: []*Policy{identity}, Resource: production}, at("s3:PutBucketPolicy", "arn:aws:s3:::Production"), ImplicitDeny, ReasonNoResourceAllow},
		// The bucket policy alone is not enough across accounts.
		{"bucket policy alone", Set{Resource: production}, at("s3:PutObject", "arn:aws:s3:::Production/file.txt"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}

// access_policies_boundaries.md: ShirleyRodriguez, then the María / Zhang /
// Nikhil delegation walkthrough.
func TestDocBoundaries(t *testing.T) {
	const shirley = "arn:aws:iam::123456789012:user/ShirleyRodriguez"
	shirleyBoundary := pol(t, TypeBoundary, "shirley-boundary", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:*",
                "cloudwatch:*",
                "ec2:*"
            ],
            "Resource": "*"
        }
    ]
}`)
	createUser := pol(t, TypeIdentity, "create-user", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "iam:CreateUser",
    "Resource": "*"
  }
}`)

	xCompanyBoundaries := pol(t, TypeBoundary, "XCompanyBoundaries", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ServiceBoundaries",
            "Effect": "Allow",
            "Action": [
                "s3:*",
                "cloudwatch:*",
                "ec2:*",
                "dynamodb:*"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AllowIAMConsoleForCredentials",
            "Effect": "Allow",
            "Action": [
                "iam:ListUsers",
                "iam:GetAccountPasswordPolicy"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AllowManageOwnPasswordAndAccessKeys",
            "Effect": "Allow",
            "Action": [
                "iam:*AccessKey*",
                "iam:ChangePassword",
                "iam:GetUser",
                "iam:*ServiceSpecificCredential*",
                "iam:*SigningCertificate*"
            ],
            "Resource": ["arn:aws:iam::*:user/${aws:username}"]
        },
        {
            "Sid": "DenyS3Logs",
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::logs",
                "arn:aws:s3:::logs/*"
            ]
        },
        {
            "Sid": "DenyEC2Production",
            "Effect": "Deny",
            "Action": "ec2:*",
            "Resource": "arn:aws:ec2:*:*:instance/i-1234567890abcdef0"
        }
    ]
}`)
	delegatedUserBoundary := pol(t, TypeBoundary, "DelegatedUserBoundary", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "CreateOrChangeOnlyWithBoundary",
            "Effect": "Allow",
            "Action": [
                "iam:AttachUserPolicy",
                "iam:CreateUser",
                "iam:DeleteUserPolicy",
                "iam:DetachUserPolicy",
                "iam:PutUserPermissionsBoundary",
                "iam:PutUserPolicy"
            ],
            "Resource": "*",
            "Condition": {
               "StringEquals": {
                 "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/XCompanyBoundaries"
                }
            }
        },
        {
            "Sid": "CloudWatchAndOtherIAMTasks",
            "Effect": "Allow",
            "Action": [
              "cloudwatch:*",
              "iam:CreateAccessKey",
              "iam:CreateGroup",
              "iam:CreateLoginProfile",
              "iam:CreatePolicy",
              "iam:DeleteGroup",
              "iam:DeletePolicy",
              "iam:DeletePolicyVersion",
              "iam:DeleteUser",
              "iam:GetAccountPasswordPolicy",
              "iam:GetGroup",
              "iam:GetLoginProfile",
              "iam:GetPolicy",
              "iam:GetPolicyVersion",
              "iam:GetRolePolicy",
              "iam:GetUser",
              "iam:GetUserPolicy",
              "iam:ListAccessKeys",
              "iam:ListAttachedRolePolicies",
              "iam:ListAttachedUserPolicies",
              "iam:ListEntitiesForPolicy",
              "iam:ListGroups",
              "iam:ListGroupsForUser",
              "iam:ListMFADevices",
              "iam:ListPolicies",
              "iam:ListPolicyVersions",
              "iam:ListRolePolicies",
              "iam:ListSSHPublicKeys",
              "iam:ListServiceSpecificCredentials",
              "iam:ListSigningCertificates",
              "iam:ListUserPolicies",
              "iam:ListUsers",
              "iam:SetDefaultPolicyVersion",
              "iam:SimulateCustomPolicy",
              "iam:SimulatePrincipalPolicy",
              "iam:UpdateGroup",
              "iam:UpdateLoginProfile",
              "iam:UpdateUser"
            ],
            "NotResource": "arn:aws:iam::123456789012:user/Maria"
        },
        {
            "Sid": "NoBoundaryPolicyEdit",
            "Effect": "Deny",
            "Action": [
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion"
            ],
            "Resource": [
                "arn:aws:iam::123456789012:policy/XCompanyBoundaries",
                "arn:aws:iam::123456789012:policy/DelegatedUserBoundary"
            ]
        },
        {
            "Sid": "NoBoundaryUserDelete",
            "Effect": "Deny",
            "Action": "iam:DeleteUserPermissionsBoundary",
            "Resource": "*"
        }
    ]
}`)
	delegatedUserPermissions := pol(t, TypeIdentity, "DelegatedUserPermissions", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "IAM",
            "Effect": "Allow",
            "Action": "iam:*",
            "Resource": "*"
        },
        {
            "Sid": "CloudWatchLimited",
            "Effect": "Allow",
            "Action": [
                "cloudwatch:GetDashboard",
                "cloudwatch:GetMetricData",
                "cloudwatch:ListDashboards",
                "cloudwatch:GetMetricStatistics",
                "cloudwatch:ListMetrics"
            ],
            "Resource": "*"
        },
        {
            "Sid": "S3BucketContents",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::ZhangBucket"
        }
    ]
}`)
	const (
		zhang    = "arn:aws:iam::123456789012:user/Zhang"
		nikhil   = "arn:aws:iam::123456789012:user/Nikhil"
		xcompany = "arn:aws:iam::123456789012:policy/XCompanyBoundaries"
	)
	shirleySet := Set{Identity: []*Policy{createUser}, Boundary: shirleyBoundary}
	zhangSet := Set{Identity: []*Policy{delegatedUserPermissions}, Boundary: delegatedUserBoundary}
	nikhilIdentity := []*Policy{managed(t, "IAMFullAccess"), managed(t, "AmazonS3ReadOnlyAccess")}
	nikhilSet := Set{Identity: nikhilIdentity, Boundary: xCompanyBoundaries}
	logsGrant := pol(t, TypeResource, "logs-bucket", grantDoc(`{"AWS":"`+nikhil+`"}`, "s3:PutObject", "arn:aws:s3:::logs/*"))
	secretGrant := pol(t, TypeResource, "secret", grantDoc(`{"AWS":"`+nikhil+`"}`, "secretsmanager:GetSecretValue", "*"))
	const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
	withSecret := nikhilSet
	withSecret.Resource = secretGrant
	withLogs := nikhilSet
	withLogs.Resource = logsGrant
	a := func(caller, action, resource string, kv ...string) Request {
		return in(req(t, caller, action, resource, kv...), "123456789012")
	}
	runEval(t, []evalCase{
		// "If you attach this permissions policy to the ShirleyRodriguez
		// user, and Shirley tries to create a user, the operation fails."
		{"Shirley creates a user", shirleySet, a(shirley, "iam:CreateUser", "arn:aws:iam::123456789012:user/new"), ImplicitDeny, ReasonNoBoundaryAllow},
		// "Shirley does not have permission to perform any operations."
		{"Shirley uses S3", shirleySet, a(shirley, "s3:ListAllMyBuckets", "*"), ImplicitDeny, ReasonNoIdentityAllow},

		// Task 4: Zhang forgets the boundary, then sets it.
		{"Zhang creates a user without the boundary", zhangSet, a(zhang, "iam:CreateUser", "arn:aws:iam::123456789012:user/Nikhil"), ImplicitDeny, ReasonNoBoundaryAllow},
		{"Zhang creates a user with XCompanyBoundaries", zhangSet, a(zhang, "iam:CreateUser", "arn:aws:iam::123456789012:user/Nikhil", "iam:PermissionsBoundary", xcompany), Allowed, ReasonIdentityAllows},
		{"Zhang creates a user with another boundary", zhangSet, a(zhang, "iam:CreateUser", "arn:aws:iam::123456789012:user/Nikhil", "iam:PermissionsBoundary", "arn:aws:iam::123456789012:policy/Other"), ImplicitDeny, ReasonNoBoundaryAllow},
		{"Zhang attaches a policy to a bounded user", zhangSet, a(zhang, "iam:AttachUserPolicy", nikhil, "iam:PermissionsBoundary", xcompany), Allowed, ReasonIdentityAllows},
		// "The CloudWatchLimited statement allows Zhang to perform five
		// actions in CloudWatch."
		{"Zhang reads a dashboard", zhangSet, a(zhang, "cloudwatch:GetDashboard", "*"), Allowed, ReasonIdentityAllows},
		{"Zhang edits a dashboard", zhangSet, a(zhang, "cloudwatch:PutDashboard", "*"), ImplicitDeny, ReasonNoIdentityAllow},
		// "his permissions boundary does not allow any Amazon S3 action".
		{"Zhang lists ZhangBucket", zhangSet, a(zhang, "s3:ListBucket", "arn:aws:s3:::ZhangBucket"), ImplicitDeny, ReasonNoBoundaryAllow},
		// CloudWatchAndOtherIAMTasks: "any IAM user not listed in the
		// NotResource policy element".
		{"Zhang resets Nikhil's password", zhangSet, a(zhang, "iam:UpdateLoginProfile", nikhil), Allowed, ReasonIdentityAllows},
		{"Zhang resets María's password", zhangSet, a(zhang, "iam:UpdateLoginProfile", "arn:aws:iam::123456789012:user/Maria"), ImplicitDeny, ReasonNoBoundaryAllow},
		{"Zhang creates an access key", zhangSet, a(zhang, "iam:CreateAccessKey", nikhil), Allowed, ReasonIdentityAllows},
		{"Zhang creates a role", zhangSet, a(zhang, "iam:CreateRole", "arn:aws:iam::123456789012:role/r"), ImplicitDeny, ReasonNoBoundaryAllow},
		// NoBoundaryPolicyEdit and NoBoundaryUserDelete.
		{"Zhang edits XCompanyBoundaries", zhangSet, a(zhang, "iam:CreatePolicyVersion", xcompany), ExplicitDeny, ReasonDenyBoundary},
		{"Zhang deletes DelegatedUserBoundary", zhangSet, a(zhang, "iam:DeletePolicy", "arn:aws:iam::123456789012:policy/DelegatedUserBoundary"), ExplicitDeny, ReasonDenyBoundary},
		{"Zhang deletes another policy", zhangSet, a(zhang, "iam:DeletePolicy", "arn:aws:iam::123456789012:policy/Other"), Allowed, ReasonIdentityAllows},
		{"Zhang removes a boundary", zhangSet, a(zhang, "iam:DeleteUserPermissionsBoundary", nikhil), ExplicitDeny, ReasonDenyBoundary},

		// "When Nikhil signs in ... he can change his own password in IAM
		// but can't create another user or edit his policies. Nikhil has
		// read-only access to Amazon S3."
		{"Nikhil changes his password", nikhilSet, a(nikhil, "iam:ChangePassword", nikhil), Allowed, ReasonIdentityAllows},
		{"Nikhil changes another user's access key", nikhilSet, a(nikhil, "iam:CreateAccessKey", zhang), ImplicitDeny, ReasonNoBoundaryAllow},
		{"Nikhil creates a user", nikhilSet, a(nikhil, "iam:CreateUser", "arn:aws:iam::123456789012:user/x"), ImplicitDeny, ReasonNoBoundaryAllow},
		{"Nikhil edits his policies", nikhilSet, a(nikhil, "iam:PutUserPolicy", nikhil), ImplicitDeny, ReasonNoBoundaryAllow},
		{"Nikhil lists users", nikhilSet, a(nikhil, "iam:ListUsers", "*"), Allowed, ReasonIdentityAllows},
		{"Nikhil reads S3", nikhilSet, a(nikhil, "s3:GetObject", "arn:aws:s3:::data/x"), Allowed, ReasonIdentityAllows},
		{"Nikhil writes S3", nikhilSet, a(nikhil, "s3:PutObject", "arn:aws:s3:::data/x"), ImplicitDeny, ReasonNoIdentityAllow},
		{"Nikhil reads the logs bucket", nikhilSet, a(nikhil, "s3:GetObject", "arn:aws:s3:::logs/x"), ExplicitDeny, ReasonDenyBoundary},
		// "If someone adds a resource-based policy to the logs bucket that
		// allows Nikhil to put an object in the bucket, he still cannot
		// access the bucket."
		{"Nikhil writes logs granted by a bucket policy", withLogs, a(nikhil, "s3:PutObject", "arn:aws:s3:::logs/x"), ExplicitDeny, ReasonDenyBoundary},
		// "if a resource-based policy attached to a Secrets Manager secret
		// allows Nikhil to perform the secretsmanager:GetSecretValue action,
		// then Nikhil can retrieve and decrypt the secret."
		{"Nikhil reads a secret granted to him", withSecret, a(nikhil, "secretsmanager:GetSecretValue", secret), Allowed, ReasonResourceAllows},
		{"Nikhil reads a secret not granted", nikhilSet, a(nikhil, "secretsmanager:GetSecretValue", secret), ImplicitDeny, ReasonNoIdentityAllow},
		{"Nikhil touches the production instance", nikhilSet, a(nikhil, "ec2:StopInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"), ExplicitDeny, ReasonDenyBoundary},
	})
}

// reference_policies_multi-value-conditions.md, "Examples of using multiple
// values with condition set operators" and "Evaluation logic for multiple
// values with condition set operators".
func TestDocMultiValueConditions(t *testing.T) {
	const table = "arn:aws:dynamodb:us-east-1:111122223333:table/Thread"
	getItem := pol(t, TypeIdentity, "get-item", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:*:*:table/Thread",
            "Condition": {
                "ForAllValues:StringEquals": {
                    "dynamodb:Attributes": [
                        "ID",
                        "Message",
                        "Tags"
                    ]
                }
            }
        }
    ]
}`)
	denyPut := pol(t, TypeIdentity, "deny-put", `{
    "Version": "2012-10-17",
    "Statement": {
        "Effect": "Deny",
        "Action": "dynamodb:PutItem",
        "Resource": "arn:aws:dynamodb:*:*:table/Thread",
        "Condition": {
            "ForAnyValue:StringEquals": {
                "dynamodb:Attributes": [
                    "ID",
                    "PostDateTime"
                ]
            }
        }
    }
}`)
	getItem2 := pol(t, TypeIdentity, "get-item-2", `{
    "Version": "2012-10-17",
    "Statement": {
        "Effect": "Allow",
        "Action": "dynamodb:GetItem",
        "Resource": "arn:aws:dynamodb:*:*:table/Thread",
        "Condition": {
            "ForAllValues:StringEquals": {
                "dynamodb:Attributes": [
                    "PostDateTime",
                    "Message",
                    "Tags"
                ]
            }
        }
    }
}`)
	putAllowed := pol(t, TypeIdentity, "put", allowDoc("dynamodb:PutItem", "*"))
	attrs := func(action string, values ...string) Request {
		p := who(t, userAlice)
		c := ctxFor(p)
		c.Set("dynamodb:Attributes", values...)
		return Request{Principal: p, Action: action, Resource: table, Context: c}
	}
	runEval(t, []evalCase{
		// "the request is allowed because the user's requested attributes
		// all match values specified in the policy".
		{"GetItem Message and Tags with ID", Set{Identity: []*Policy{getItem}}, attrs("dynamodb:GetItem", "ID", "Message", "Tags"), Allowed, ReasonIdentityAllows},
		// "if the user's request includes the UserName attribute, the
		// request fails".
		{"GetItem with UserName", Set{Identity: []*Policy{getItem}}, attrs("dynamodb:GetItem", "ID", "Message", "UserName"), ImplicitDeny, ReasonNoIdentityAllow},
		// "there is one match (PostDateTime), so the condition is true ...
		// the request is denied".
		{"PutItem PostDateTime and Message", Set{Identity: []*Policy{putAllowed, denyPut}}, attrs("dynamodb:PutItem", "PostDateTime", "Message"), ExplicitDeny, ReasonDenyIdentity},
		// "The condition returns false ... the request is not denied by this
		// policy ... it must be explicitly allowed by a different policy."
		{"PutItem UserName, allowed elsewhere", Set{Identity: []*Policy{putAllowed, denyPut}}, attrs("dynamodb:PutItem", "UserName"), Allowed, ReasonIdentityAllows},
		{"PutItem UserName, nothing allows", Set{Identity: []*Policy{denyPut}}, attrs("dynamodb:PutItem", "UserName"), ImplicitDeny, ReasonNoIdentityAllow},
		// Evaluation table: "There's no match for UserName, so the condition
		// operator returns false, and the policy does not allow the request."
		{"table: GetItem PostDateTime and UserName", Set{Identity: []*Policy{getItem2}}, attrs("dynamodb:GetItem", "PostDateTime", "UserName"), ImplicitDeny, ReasonNoIdentityAllow},
		{"table: GetItem PostDateTime only", Set{Identity: []*Policy{getItem2}}, attrs("dynamodb:GetItem", "PostDateTime"), Allowed, ReasonIdentityAllows},
		// "The last test returns true, so the condition is true; because the
		// Effect element is set to Deny, the request is denied."
		{"table: PutItem UserName, Message, PostDateTime", Set{Identity: []*Policy{putAllowed, denyPut}}, attrs("dynamodb:PutItem", "UserName", "Message", "PostDateTime"), ExplicitDeny, ReasonDenyIdentity},
		// "If the key values in the request resolve to an empty data set ...
		// ForAllValues returns true. ... ForAnyValue returns false."
		{"empty set: ForAllValues allows", Set{Identity: []*Policy{getItem2}}, attrs("dynamodb:GetItem"), Allowed, ReasonIdentityAllows},
		{"empty set: ForAnyValue does not deny", Set{Identity: []*Policy{putAllowed, denyPut}}, attrs("dynamodb:PutItem"), Allowed, ReasonIdentityAllows},
		{"missing key: ForAllValues allows", Set{Identity: []*Policy{getItem2}}, req(t, userAlice, "dynamodb:GetItem", table), Allowed, ReasonIdentityAllows},
	})
}

// reference_policies_elements_principal.md.
func TestDocPrincipalElement(t *testing.T) {
	const obj = "arn:aws:s3:::BUCKETNAME/x"
	usePrincipalArn := pol(t, TypeResource, "UsePrincipalArnInsteadOfNotPrincipalWithDeny", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "UsePrincipalArnInsteadOfNotPrincipalWithDeny",
      "Effect": "Deny",
      "Action": "s3:*",
      "Principal": "*",
      "Resource": [
        "arn:aws:s3:::BUCKETNAME/*",
        "arn:aws:s3:::BUCKETNAME"
      ],
      "Condition": {
        "ArnNotEquals": {
          "aws:PrincipalArn": "arn:aws:iam::444455556666:user/user-name"
        }
      }
    }
  ]
}`)
	rootARN := pol(t, TypeResource, "root-arn", grantDoc(`{ "AWS": "arn:aws:iam::123456789012:root" }`, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/*"))
	accountID := pol(t, TypeResource, "account-id", grantDoc(`{ "AWS": "123456789012" }`, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/*"))
	twoAccounts := pol(t, TypeResource, "two-accounts", grantDoc(`{"AWS": ["123456789012","555555555555"]}`, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/*"))
	userBobCase := pol(t, TypeResource, "user-Bob", grantDoc(`{"AWS": "arn:aws:iam::111122223333:user/Bob"}`, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/*"))
	services := pol(t, TypeTrust, "ecs-elb", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":["ecs.amazonaws.com","elasticloadbalancing.amazonaws.com"]},"Action":"sts:AssumeRole"}}`)
	idAll := pol(t, TypeIdentity, "all", allowAllDoc)
	get := func(caller, acct string) Request { return in(req(t, caller, "s3:GetObject", obj), acct) }
	const role = "arn:aws:iam::111122223333:role/service-role"
	runEval(t, []evalCase{
		{"PrincipalArn deny spares the named user", Set{Identity: []*Policy{idAll}, Resource: usePrincipalArn}, get("arn:aws:iam::444455556666:user/user-name", "444455556666"), Allowed, ReasonIdentityAllows},
		{"PrincipalArn deny hits everyone else", Set{Identity: []*Policy{idAll}, Resource: usePrincipalArn}, get("arn:aws:iam::444455556666:user/other", "444455556666"), ExplicitDeny, ReasonDenyResource},
		{"PrincipalArn deny hits other accounts", Set{Identity: []*Policy{idAll}, Resource: usePrincipalArn}, get("arn:aws:iam::111122223333:user/user-name", "444455556666"), ExplicitDeny, ReasonDenyResource},
		{"PrincipalArn deny hits anonymous", Set{Resource: usePrincipalArn}, get("*", "444455556666"), ExplicitDeny, ReasonDenyResource},
		// "The account ARN and the shortened account ID behave the same
		// way. Both delegate permissions to the account." "Using the account
		// ARN in the Principal element does not limit permissions to only
		// the root user of the account."
		{"root ARN: a user of the account, cross-account", Set{Identity: []*Policy{idAll}, Resource: rootARN}, get("arn:aws:iam::123456789012:user/u", "999999999999"), Allowed, ReasonIdentityAllows},
		{"account ID: a user of the account, cross-account", Set{Identity: []*Policy{idAll}, Resource: accountID}, get("arn:aws:iam::123456789012:user/u", "999999999999"), Allowed, ReasonIdentityAllows},
		{"root ARN: delegates, identity still needed", Set{Resource: rootARN}, get("arn:aws:iam::123456789012:user/u", "999999999999"), ImplicitDeny, ReasonNoIdentityAllow},
		{"account ID: delegates, identity still needed", Set{Resource: accountID}, get("arn:aws:iam::123456789012:user/u", "999999999999"), ImplicitDeny, ReasonNoIdentityAllow},
		// "This is a logical OR and not a logical AND".
		{"second of two accounts", Set{Identity: []*Policy{idAll}, Resource: twoAccounts}, get("arn:aws:iam::555555555555:user/u", "999999999999"), Allowed, ReasonIdentityAllows},
		{"neither account", Set{Identity: []*Policy{idAll}, Resource: twoAccounts}, get("arn:aws:iam::666666666666:user/u", "999999999999"), ImplicitDeny, ReasonNoResourceAllow},
		// "In a Principal element, the user name part of the ARN is case
		// sensitive."
		{"user name case-sensitive", Set{Resource: userBobCase}, get("arn:aws:iam::111122223333:user/bob", "111122223333"), ImplicitDeny, ReasonNoIdentityAllow},
		{"user name exact", Set{Resource: userBobCase}, get("arn:aws:iam::111122223333:user/Bob", "111122223333"), Allowed, ReasonResourceAllows},
		// "AWS service principals": an array of service principals.
		{"ecs may assume", Set{Resource: services}, req(t, "ecs.amazonaws.com", "sts:AssumeRole", role), Allowed, ReasonResourceAllows},
		{"elasticloadbalancing may assume", Set{Resource: services}, req(t, "elasticloadbalancing.amazonaws.com", "sts:AssumeRole", role), Allowed, ReasonResourceAllows},
		{"lambda may not assume", Set{Resource: services}, req(t, "lambda.amazonaws.com", "sts:AssumeRole", role), ImplicitDeny, ReasonNoResourceAllow},
	})
}

// reference_policies_elements_condition_operators.md examples.
func TestDocConditionOperatorExamples(t *testing.T) {
	jobCategory := pol(t, TypeIdentity, "job-category", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "iam:*AccessKey*",
    "Resource": "arn:aws:iam::111122223333:user/*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}
  }
}`)
	homeDir := pol(t, TypeIdentity, "home-directory", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::BUCKET-NAME",
      "Condition": {"StringLike": {"s3:prefix": [
        "",
        "home/",
        "home/${aws:username}/"
      ]}}
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::BUCKET-NAME/home/${aws:username}",
        "arn:aws:s3:::BUCKET-NAME/home/${aws:username}/*"
      ]
    }
  ]
}`)
	maxKeys := pol(t, TypeIdentity, "max-keys", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "s3:ListBucket",
    "Resource": "arn:aws:s3:::example_bucket",
    "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}
  }
}`)
	tokenIssued := pol(t, TypeIdentity, "token-2020", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "iam:*AccessKey*",
    "Resource": "arn:aws:iam::111122223333:user/*",
    "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}
  }
}`)
	secureTransport := pol(t, TypeIdentity, "BooleanExample", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "BooleanExample",
      "Action": "s3:*",
      "Effect": "Deny",
      "Resource": [
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET",
        "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"
      ],
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "false"
        }
      }
    }
  ]
}`)
	sourceIP := pol(t, TypeIdentity, "source-ip", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "iam:*AccessKey*",
    "Resource": "arn:aws:iam::111122223333:user/*",
    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
  }
}`)
	mixedIP := pol(t, TypeIdentity, "mixed-ip", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "someservice:*",
    "Resource": "*",
    "Condition": {
      "IpAddress": {
        "aws:SourceIp": [
          "203.0.113.0/24",
          "2001:DB8:1234:5678::/64"
        ]
      }
    }
  }
}`)
	doesNotWork := pol(t, TypeIdentity, "THISPOLICYDOESNOTWORK", `{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "THISPOLICYDOESNOTWORK",
    "Effect": "Allow",
    "Action": "ec2:RunInstances",
    "Resource": "*",
    "Condition": {"StringLike": {"ec2:InstanceType": [
      "t1.*",
      "t2.*",
      "m3.*"
    ]}}
  }
}`)
	ifExists := pol(t, TypeIdentity, "RunInstance", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "RunInstance",
            "Effect": "Allow",
            "Action": "ec2:RunInstances",
            "Resource": "*",
            "Condition": {
                "StringLikeIfExists": {
                    "ec2:InstanceType": [
                        "t1.*",
                        "t2.*",
                        "m3.*"
             ]}}
        },
        {
            "Sid": "DescribeActions",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeVpcs",
                "ec2:DescribeKeyPairs",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups"
            ],
            "Resource": "*"
        }]
}`)
	nullCheck := pol(t, TypeIdentity, "null", `{
  "Version": "2012-10-17",
  "Statement":{
      "Action":"ec2:*",
      "Effect":"Allow",
      "Resource":"*",
      "Condition":{"Null":{"aws:TokenIssueTime":"true"}}
  }
}`)
	all := pol(t, TypeIdentity, "all", allowAllDoc)
	id := func(ps ...*Policy) Set { return Set{Identity: ps} }
	const image = "arn:aws:ec2:us-east-1::image/ami-1"
	const instance = "arn:aws:ec2:us-east-1:111122223333:instance/*"
	runEval(t, []evalCase{
		// "If a user without the tag attempts to view or edit an access key,
		// the condition returns false and the request is implicitly denied".
		{"job-category tag", id(jobCategory), req(t, userAlice, "iam:CreateAccessKey", userBob, "aws:PrincipalTag/job-category", "iamuser-admin"), Allowed, ReasonIdentityAllows},
		{"no job-category tag", id(jobCategory), req(t, userAlice, "iam:CreateAccessKey", userBob), ImplicitDeny, ReasonNoIdentityAllow},
		{"home: list the root", id(homeDir), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::BUCKET-NAME", "s3:prefix", ""), Allowed, ReasonIdentityAllows},
		{"home: list home/", id(homeDir), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::BUCKET-NAME", "s3:prefix", "home/"), Allowed, ReasonIdentityAllows},
		{"home: list own folder", id(homeDir), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::BUCKET-NAME", "s3:prefix", "home/alice/"), Allowed, ReasonIdentityAllows},
		{"home: list another folder", id(homeDir), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::BUCKET-NAME", "s3:prefix", "home/bob/"), ImplicitDeny, ReasonNoIdentityAllow},
		{"home: read own object", id(homeDir), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::BUCKET-NAME/home/alice/a.txt"), Allowed, ReasonIdentityAllows},
		{"home: read another's object", id(homeDir), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::BUCKET-NAME/home/bob/a.txt"), ImplicitDeny, ReasonNoIdentityAllow},
		// "only the operations that include the max-keys context key with a
		// value of less than or equal to 10 would be allowed".
		{"max-keys 10", id(maxKeys), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::example_bucket", "s3:max-keys", "10"), Allowed, ReasonIdentityAllows},
		{"max-keys 11", id(maxKeys), req(t, userAlice, "s3:ListBucket", "arn:aws:s3:::example_bucket", "s3:max-keys", "11"), ImplicitDeny, ReasonNoIdentityAllow},
		// "if an IAM user attempts to view or edit an access key, the request
		// is denied" (no aws:TokenIssueTime).
		{"token issued in 2021", id(tokenIssued), req(t, sessionDev, "iam:ListAccessKeys", userBob, "aws:TokenIssueTime", "2021-02-03T04:05:06Z"), Allowed, ReasonIdentityAllows},
		{"IAM user has no token", id(tokenIssued), req(t, userAlice, "iam:ListAccessKeys", userBob), ImplicitDeny, ReasonNoIdentityAllow},
		{"not over SSL", id(all, secureTransport), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", "aws:SecureTransport", "false"), ExplicitDeny, ReasonDenyIdentity},
		{"over SSL", id(all, secureTransport), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", "aws:SecureTransport", "true"), Allowed, ReasonIdentityAllows},
		{"SecureTransport deny allows nothing", id(secureTransport), req(t, userAlice, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", "aws:SecureTransport", "true"), ImplicitDeny, ReasonNoIdentityAllow},
		{"source IP in range", id(sourceIP), req(t, userAlice, "iam:UpdateAccessKey", userAlice, "aws:SourceIp", "203.0.113.255"), Allowed, ReasonIdentityAllows},
		{"source IP out of range", id(sourceIP), req(t, userAlice, "iam:UpdateAccessKey", userAlice, "aws:SourceIp", "203.0.112.255"), ImplicitDeny, ReasonNoIdentityAllow},
		// "except when the requester uses a VPC endpoint ... the condition
		// returns false".
		{"source IP absent (VPC endpoint)", id(sourceIP), req(t, userAlice, "iam:UpdateAccessKey", userAlice), ImplicitDeny, ReasonNoIdentityAllow},
		{"mixed IPv4 and IPv6: v6", id(mixedIP), req(t, userAlice, "someservice:Act", "*", "aws:SourceIp", "2001:db8:1234:5678::1"), Allowed, ReasonIdentityAllows},
		{"mixed IPv4 and IPv6: v4", id(mixedIP), req(t, userAlice, "someservice:Act", "*", "aws:SourceIp", "203.0.113.9"), Allowed, ReasonIdentityAllows},
		{"mixed IPv4 and IPv6: neither", id(mixedIP), req(t, userAlice, "someservice:Act", "*", "aws:SourceIp", "2001:db8:1234:5679::1"), ImplicitDeny, ReasonNoIdentityAllow},
		// "These additional resources do not have the ec2:InstanceType
		// condition key, so the StringLike check fails, and the user is not
		// granted the ability to launch any instance type."
		{"THISPOLICYDOESNOTWORK: the image", id(doesNotWork), req(t, userAlice, "ec2:RunInstances", image), ImplicitDeny, ReasonNoIdentityAllow},
		{"THISPOLICYDOESNOTWORK: the instance", id(doesNotWork), req(t, userAlice, "ec2:RunInstances", instance, "ec2:InstanceType", "t2.micro"), Allowed, ReasonIdentityAllows},
		{"IfExists: the image", id(ifExists), req(t, userAlice, "ec2:RunInstances", image), Allowed, ReasonIdentityAllows},
		{"IfExists: a t2 instance", id(ifExists), req(t, userAlice, "ec2:RunInstances", instance, "ec2:InstanceType", "t2.micro"), Allowed, ReasonIdentityAllows},
		{"IfExists: an m5 instance", id(ifExists), req(t, userAlice, "ec2:RunInstances", instance, "ec2:InstanceType", "m5.large"), ImplicitDeny, ReasonNoIdentityAllow},
		{"IfExists: describe", id(ifExists), req(t, userAlice, "ec2:DescribeVpcs", "*"), Allowed, ReasonIdentityAllows},
		// "the user must not be using temporary credentials".
		{"Null: long-term credentials", id(nullCheck), req(t, userAlice, "ec2:DescribeVpcs", "*"), Allowed, ReasonIdentityAllows},
		{"Null: temporary credentials", id(nullCheck), req(t, sessionDev, "ec2:DescribeVpcs", "*", "aws:TokenIssueTime", "2024-01-01T00:00:00Z"), ImplicitDeny, ReasonNoIdentityAllow},
	})

	// The SQS queue policy: "If an IAM user attempts to perform this
	// operation directly, the condition returns false and the request is
	// implicitly denied by this statement."
	queue := pol(t, TypeResource, "queue", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Principal": {"AWS": "123456789012"},
    "Action": "SQS:SendMessage",
    "Resource": "arn:aws:sqs:us-east-2:123456789012:QUEUE-ID",
    "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"}}
  }
}`)
	const q = "arn:aws:sqs:us-east-2:123456789012:QUEUE-ID"
	for _, c := range []struct {
		kv      []string
		applies bool
	}{
		{[]string{"aws:SourceArn", "arn:aws:sns:us-east-2:123456789012:TOPIC-ID"}, true},
		{[]string{"aws:SourceArn", "arn:aws:sns:us-east-2:123456789012:OTHER"}, false},
		{nil, false},
	} {
		res := decide(Set{Resource: queue}, req(t, "arn:aws:iam::123456789012:user/u", "sqs:SendMessage", q, c.kv...))
		if got := len(res.Matched) == 1; got != c.applies {
			t.Errorf("SourceArn %v: statement applied %v, want %v", c.kv, got, c.applies)
		}
	}
}

// reference_policies_elements_condition.md.
func TestDocConditionElement(t *testing.T) {
	exact := pol(t, TypeIdentity, "johndoe", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition" : { "StringEquals" : { "aws:username" : "johndoe" }}}}`)
	fold := pol(t, TypeIdentity, "johndoe-fold", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition" : { "StringEqualsIgnoreCase" : { "aws:username" : "johndoe" }}}}`)
	recentMFA := pol(t, TypeIdentity, "AllowRemoveMfaOnlyIfRecentMfa", `{
    "Version": "2012-10-17",
    "Statement": {
        "Sid": "AllowRemoveMfaOnlyIfRecentMfa",
        "Effect": "Allow",
        "Action": [
            "iam:DeactivateMFADevice"
        ],
        "Resource": "arn:aws:iam::*:user/${aws:username}",
        "Condition": {
            "NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}
        }
    }
}`)
	const jd = "arn:aws:iam::111122223333:user/johndoe"
	const JD = "arn:aws:iam::111122223333:user/JohnDoe"
	id := func(p *Policy) Set { return Set{Identity: []*Policy{p}} }
	runEval(t, []evalCase{
		// "only requests made by johndoe match. Users named JohnDoe are
		// denied access."
		{"johndoe", id(exact), req(t, jd, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
		{"JohnDoe", id(exact), req(t, JD, "s3:GetObject", "arn:aws:s3:::b/k"), ImplicitDeny, ReasonNoIdentityAllow},
		{"JohnDoe ignoring case", id(fold), req(t, JD, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
		// True / False / Not present.
		{"MFA within the hour", id(recentMFA), req(t, userAlice, "iam:DeactivateMFADevice", userAlice, "aws:MultiFactorAuthAge", "1800"), Allowed, ReasonIdentityAllows},
		{"MFA more than an hour ago", id(recentMFA), req(t, userAlice, "iam:DeactivateMFADevice", userAlice, "aws:MultiFactorAuthAge", "7200"), ImplicitDeny, ReasonNoIdentityAllow},
		{"access keys, no MFA key", id(recentMFA), req(t, userAlice, "iam:DeactivateMFADevice", userAlice), ImplicitDeny, ReasonNoIdentityAllow},
		{"another user's device", id(recentMFA), req(t, userAlice, "iam:DeactivateMFADevice", userBob, "aws:MultiFactorAuthAge", "10"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}

// reference_policies_variables.md examples not covered in variables_test.go.
func TestDocVariablesExamples(t *testing.T) {
	// The SNS topic policy (the document omits Resource, which IAM
	// requires; the topic is named here).
	topic := pol(t, TypeResource, "topic", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Principal": {
        "AWS": "999999999999"
      },
      "Effect": "Allow",
      "Action": "sns:*",
      "Resource": "arn:aws:sns:us-east-1:111122223333:topic",
      "Condition": {
        "StringLike": {
          "sns:endpoint": "https://example.com/${aws:username}/"
        },
        "StringEquals": {
          "sns:Protocol": "https"
        }
      }
    }
  ]
}`)
	costCenter := pol(t, TypeIdentity, "costCenter", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
          "iam:*user*"
       ],
      "Resource": "*",
      "Condition": {
        "StringLike": {
          "iam:ResourceTag/costCenter": [ "12345", "67890" ]
        }
      }
    }
  ]
}`)
	snsAll := pol(t, TypeIdentity, "sns", allowDoc("sns:*", "*"))
	const dave = "arn:aws:iam::999999999999:user/dave"
	const tp = "arn:aws:sns:us-east-1:111122223333:topic"
	runEval(t, []evalCase{
		{"SNS endpoint matches the user name", Set{Identity: []*Policy{snsAll}, Resource: topic}, req(t, dave, "sns:Subscribe", tp, "sns:endpoint", "https://example.com/dave/", "sns:Protocol", "https"), Allowed, ReasonIdentityAllows},
		{"SNS endpoint of another user", Set{Identity: []*Policy{snsAll}, Resource: topic}, req(t, dave, "sns:Subscribe", tp, "sns:endpoint", "https://example.com/erin/", "sns:Protocol", "https"), ImplicitDeny, ReasonNoResourceAllow},
		{"SNS protocol http", Set{Identity: []*Policy{snsAll}, Resource: topic}, req(t, dave, "sns:Subscribe", tp, "sns:endpoint", "https://example.com/dave/", "sns:Protocol", "http"), ImplicitDeny, ReasonNoResourceAllow},
		// "If the tag has no value, or has any other value, then the request
		// fails."
		{"costCenter 12345", Set{Identity: []*Policy{costCenter}}, req(t, userAlice, "iam:GetUser", userBob, "iam:ResourceTag/costCenter", "12345"), Allowed, ReasonIdentityAllows},
		{"costCenter other", Set{Identity: []*Policy{costCenter}}, req(t, userAlice, "iam:GetUser", userBob, "iam:ResourceTag/costCenter", "99999"), ImplicitDeny, ReasonNoIdentityAllow},
		{"costCenter absent", Set{Identity: []*Policy{costCenter}}, req(t, userAlice, "iam:GetUser", userBob), ImplicitDeny, ReasonNoIdentityAllow},
		{"costCenter on another action", Set{Identity: []*Policy{costCenter}}, req(t, userAlice, "iam:GetRole", roleDev, "iam:ResourceTag/costCenter", "12345"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}

// reference_policies_condition-keys.md examples.
func TestDocGlobalConditionKeys(t *testing.T) {
	P := func(name, doc string) *Policy { return pol(t, TypeIdentity, name, doc) }
	all := P("all", allowAllDoc)
	mfaDenyBool := P("deny-bool", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	mfaDenyIfExists := P("deny-ifexists", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	mfaAllowIfExists := P("allow-ifexists", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}}]}`)
	mfaAllowBool := P("allow-bool", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)
	mfaAllowNull := P("allow-null", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:MultiFactorAuthPresent":"false"}}}]}`)
	longTerm := req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/k")
	tempNoMFA := req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", "aws:MultiFactorAuthPresent", "false")
	tempMFA := req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", "aws:MultiFactorAuthPresent", "true")
	ids := func(ps ...*Policy) Set { return Set{Identity: ps} }
	runEval(t, []evalCase{
		// Deny + Bool false: "does not deny access to requests that are made
		// using long-term credentials, or to requests that are authenticated
		// using MFA".
		{"Deny Bool false: long-term", ids(all, mfaDenyBool), longTerm, Allowed, ReasonIdentityAllows},
		{"Deny Bool false: temporary without MFA", ids(all, mfaDenyBool), tempNoMFA, ExplicitDeny, ReasonDenyIdentity},
		{"Deny Bool false: with MFA", ids(all, mfaDenyBool), tempMFA, Allowed, ReasonIdentityAllows},
		// Deny + BoolIfExists false: "denies requests that are not
		// authenticated using MFA ... It also denies requests that are made
		// using long-term credentials".
		{"Deny BoolIfExists false: long-term", ids(all, mfaDenyIfExists), longTerm, ExplicitDeny, ReasonDenyIdentity},
		{"Deny BoolIfExists false: temporary without MFA", ids(all, mfaDenyIfExists), tempNoMFA, ExplicitDeny, ReasonDenyIdentity},
		{"Deny BoolIfExists false: with MFA", ids(all, mfaDenyIfExists), tempMFA, Allowed, ReasonIdentityAllows},
		// Allow + BoolIfExists true: "allows requests that are authenticated
		// using MFA, or requests that cannot be authenticated using MFA".
		{"Allow BoolIfExists true: long-term", ids(mfaAllowIfExists), longTerm, Allowed, ReasonIdentityAllows},
		{"Allow BoolIfExists true: temporary without MFA", ids(mfaAllowIfExists), tempNoMFA, ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow BoolIfExists true: with MFA", ids(mfaAllowIfExists), tempMFA, Allowed, ReasonIdentityAllows},
		// Allow + Bool true: "only MFA-authenticated requests".
		{"Allow Bool true: long-term", ids(mfaAllowBool), longTerm, ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow Bool true: with MFA", ids(mfaAllowBool), tempMFA, Allowed, ReasonIdentityAllows},
		// Allow + Null false: "allows all requests that are made using
		// temporary credentials, and denies access for long-term
		// credentials".
		{"Allow Null false: long-term", ids(mfaAllowNull), longTerm, ImplicitDeny, ReasonNoIdentityAllow},
		{"Allow Null false: temporary without MFA", ids(mfaAllowNull), tempNoMFA, Allowed, ReasonIdentityAllows},
	})

	// aws:PrincipalAccount: "access is denied except to principals with the
	// account number 123456789012".
	notInAccount := P("DenyAccessFromPrincipalNotInSpecificAccount", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAccessFromPrincipalNotInSpecificAccount",
      "Action": "service:*",
      "Effect": "Deny",
      "Resource": [
        "arn:aws:service:region:accountID:resource"
      ],
      "Condition": {
        "StringNotEquals": {
          "aws:PrincipalAccount": [
            "123456789012"
          ]
        }
      }
    }
  ]
}`)
	const res = "arn:aws:service:region:accountID:resource"
	// aws:PrincipalArn: the root user ARN "limits permissions only for the
	// root user of the AWS account".
	denyRoot := pol(t, TypeSCP, "deny-root", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:root"}}}]}`)
	roleArn := P("role-arn", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/dev"}}}}`)
	fedArn := P("fed-arn", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnEquals":{"aws:PrincipalArn":"arn:aws:sts::111122223333:federated-user/bob"}}}}`)
	sessionPolicy := pol(t, TypeSession, "sp", allowAllDoc)
	runEval(t, []evalCase{
		{"principal in the account", ids(all, notInAccount), in(req(t, "arn:aws:iam::123456789012:user/u", "service:Act", res), "123456789012"), Allowed, ReasonIdentityAllows},
		{"principal in another account", ids(all, notInAccount), in(req(t, "arn:aws:iam::210987654321:user/u", "service:Act", res), "210987654321"), ExplicitDeny, ReasonDenyIdentity},
		{"SCP denies the root user", Set{SCPs: [][]*Policy{{denyRoot}}}, req(t, rootA, "s3:GetObject", "arn:aws:s3:::b/k"), ExplicitDeny, ReasonDenySCP},
		{"SCP root deny spares users", Set{Identity: []*Policy{all}, SCPs: [][]*Policy{{denyRoot}}}, req(t, userAlice, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
		// "For IAM roles, the request context returns the ARN of the role,
		// not the ARN of the user that assumed the role."
		{"PrincipalArn of a session is the role", ids(roleArn), req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
		{"PrincipalArn of a federated user", Set{Identity: []*Policy{fedArn}, Session: []*Policy{sessionPolicy}}, req(t, fedBob, "s3:GetObject", "arn:aws:s3:::b/k"), Allowed, ReasonIdentityAllows},
	})

	// aws:PrincipalIsAWSService and aws:PrincipalServiceName: "access to
	// the bucket is restricted unless the request originates from
	// vpc-111bbb22 or is from a service principal, such as CloudTrail."
	isService := pol(t, TypeResource, "Expected-network+service-principal", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Expected-network+service-principal",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET1/AWSLogs/AccountNumber/*",
      "Condition": {
        "StringNotEqualsIfExists": {
          "aws:SourceVpc": "vpc-111bbb22"
        },
        "BoolIfExists": {
          "aws:PrincipalIsAWSService": "false"
        }
      }
    },
    {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET1/*"}
  ]
}`)
	serviceName := pol(t, TypeResource, "expected-network+service-principal", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "expected-network+service-principal",
      "Effect": "Deny",
      "Principal": "*",
      "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET1/AWSLogs/AccountNumber/*",
      "Condition": {
        "StringNotEqualsIfExists": {
          "aws:SourceVpc": "vpc-111bbb22",
          "aws:PrincipalServiceName": "cloudtrail.amazonaws.com"
        }
      }
    },
    {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET1/*"}
  ]
}`)
	const logObj = "arn:aws:s3:::DOC-EXAMPLE-BUCKET1/AWSLogs/AccountNumber/log.gz"
	putLog := func(caller string, kv ...string) Request {
		return in(req(t, caller, "s3:PutObject", logObj, kv...), acctA)
	}
	runEval(t, []evalCase{
		{"IsAWSService: CloudTrail", Set{Resource: isService}, putLog("cloudtrail.amazonaws.com"), Allowed, ReasonResourceAllows},
		{"IsAWSService: user in the VPC", Set{Identity: []*Policy{all}, Resource: isService}, putLog(userAlice, "aws:SourceVpc", "vpc-111bbb22"), Allowed, ReasonIdentityAllows},
		{"IsAWSService: user elsewhere", Set{Identity: []*Policy{all}, Resource: isService}, putLog(userAlice), ExplicitDeny, ReasonDenyResource},
		{"IsAWSService: user in another VPC", Set{Identity: []*Policy{all}, Resource: isService}, putLog(userAlice, "aws:SourceVpc", "vpc-999"), ExplicitDeny, ReasonDenyResource},
		{"ServiceName: CloudTrail", Set{Resource: serviceName}, putLog("cloudtrail.amazonaws.com"), Allowed, ReasonResourceAllows},
		{"ServiceName: user in the VPC", Set{Identity: []*Policy{all}, Resource: serviceName}, putLog(userAlice, "aws:SourceVpc", "vpc-111bbb22"), Allowed, ReasonIdentityAllows},
		{"ServiceName: user elsewhere", Set{Identity: []*Policy{all}, Resource: serviceName}, putLog(userAlice), ExplicitDeny, ReasonDenyResource},
	})

	// aws:PrincipalOrgID: members of the organization may put objects.
	org := pol(t, TypeResource, "AllowPutObject", ` {
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "AllowPutObject",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::policy-ninja-dev/*",
    "Condition": {"StringEquals":
      {"aws:PrincipalOrgID":"o-xxxxxxxxxxx"}
    }
  }
}`)
	// aws:PrincipalTag: the bucket name ends with the principal's team.
	teamBucket := pol(t, TypeResource, "team-bucket", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team}/"
  }
}`)
	// aws:FederatedProvider as a variable.
	provider := pol(t, TypeResource, "provider", `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/${aws:FederatedProvider}/*"
  }
}`)
	hr := P("hr", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "iam:*",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "aws:PrincipalTag/department": "hr"
        }
      }
    }
  ]
}`)
	putNinja := func(caller string, kv ...string) Request {
		return in(req(t, caller, "s3:PutObject", "arn:aws:s3:::policy-ninja-dev/x", kv...), acctA)
	}
	runEval(t, []evalCase{
		{"org member of another account", Set{Identity: []*Policy{all}, Resource: org}, putNinja(userCarol, "aws:PrincipalOrgID", "o-xxxxxxxxxxx"), Allowed, ReasonIdentityAllows},
		{"org member of the bucket's account", Set{Resource: org}, putNinja(userAlice, "aws:PrincipalOrgID", "o-xxxxxxxxxxx"), Allowed, ReasonResourceAllows},
		{"outside the organization", Set{Identity: []*Policy{all}, Resource: org}, putNinja(userCarol, "aws:PrincipalOrgID", "o-other"), ImplicitDeny, ReasonNoResourceAllow},
		{"no organization", Set{Identity: []*Policy{all}, Resource: org}, putNinja(userCarol), ImplicitDeny, ReasonNoResourceAllow},
		{"team bucket", Set{Resource: teamBucket}, in(req(t, userAlice, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET-blue/", "aws:PrincipalTag/team", "blue"), acctA), Allowed, ReasonResourceAllows},
		{"other team's bucket", Set{Resource: teamBucket}, in(req(t, userAlice, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET-red/", "aws:PrincipalTag/team", "blue"), acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"federated provider path", Set{Resource: provider}, in(req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/cognito-identity.amazonaws.com/x", "aws:FederatedProvider", "cognito-identity.amazonaws.com"), acctA), Allowed, ReasonResourceAllows},
		{"no federated provider", Set{Resource: provider}, in(req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/cognito-identity.amazonaws.com/x"), acctA), ImplicitDeny, ReasonNoIdentityAllow},
		{"hr may manage IAM", Set{Identity: []*Policy{hr}}, req(t, userAlice, "iam:CreateRole", roleDev, "aws:PrincipalTag/department", "hr"), Allowed, ReasonIdentityAllows},
		{"others may not", Set{Identity: []*Policy{hr}}, req(t, userAlice, "iam:CreateRole", roleDev, "aws:PrincipalTag/department", "eng"), ImplicitDeny, ReasonNoIdentityAllow},
	})

	// aws:CalledVia, aws:CalledViaFirst and aws:CalledViaLast.
	viaDynamo := P("KmsActionsIfCalledViaDynamodb", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "KmsActionsIfCalledViaDynamodb",
            "Effect": "Allow",
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey",
                "kms:DescribeKey"
            ],
            "Resource": "arn:aws:kms:region:111122223333:key/my-example-key",
            "Condition": {
                "ForAnyValue:StringEquals": {
                    "aws:CalledVia": ["dynamodb.amazonaws.com"]
                }
            }
        }
    ]
}`)
	viaChain := P("KmsActionsIfCalledViaChain", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "KmsActionsIfCalledViaChain",
            "Effect": "Allow",
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey",
                "kms:DescribeKey"
            ],
            "Resource": "arn:aws:kms:region:111122223333:key/my-example-key",
            "Condition": {
                "StringEquals": {
                    "aws:CalledViaFirst": "cloudformation.amazonaws.com",
                    "aws:CalledViaLast": "dynamodb.amazonaws.com"
                }
            }
        }
    ]
}`)
	const key = "arn:aws:kms:region:111122223333:key/my-example-key"
	via := func(chain ...string) Request {
		p := who(t, userAlice)
		return Request{Principal: p, Action: "kms:Decrypt", Resource: key, Context: NewContext().SetGlobal(GlobalKeys{Principal: p, CalledVia: chain})}
	}
	runEval(t, []evalCase{
		{"via CloudFormation then DynamoDB", Set{Identity: []*Policy{viaDynamo}}, via("cloudformation.amazonaws.com", "dynamodb.amazonaws.com"), Allowed, ReasonIdentityAllows},
		{"directly", Set{Identity: []*Policy{viaDynamo}}, via(), ImplicitDeny, ReasonNoIdentityAllow},
		{"via Athena only", Set{Identity: []*Policy{viaDynamo}}, via("athena.amazonaws.com"), ImplicitDeny, ReasonNoIdentityAllow},
		{"chain: first CloudFormation, last DynamoDB", Set{Identity: []*Policy{viaChain}}, via("cloudformation.amazonaws.com", "x.amazonaws.com", "dynamodb.amazonaws.com"), Allowed, ReasonIdentityAllows},
		{"chain: first DynamoDB", Set{Identity: []*Policy{viaChain}}, via("dynamodb.amazonaws.com", "cloudformation.amazonaws.com"), ImplicitDeny, ReasonNoIdentityAllow},
	})

	// aws:SourceIp with aws:ViaAWSService.
	ipOrService := P("PrincipalPutObjectIfIpAddress", `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "PrincipalPutObjectIfIpAddress",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET3/*",
            "Condition": {
                "Bool": {"aws:ViaAWSService": "false"},
                "IpAddress": {"aws:SourceIp": "203.0.113.0"}
            }
        },
        {
            "Sid": "ServicePutObject",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*",
            "Condition": {
                "Bool": {"aws:ViaAWSService": "true"}
            }
        }
    ]
}`)
	// aws:Ec2InstanceSourceVpc, RequireSameVPC.
	sameVPC := P("RequireSameVPC", `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "RequireSameVPC",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "StringNotEquals": {
            "aws:SourceVpc": "${aws:Ec2InstanceSourceVpc}"
        },
        "Null": {
          "ec2:SourceInstanceARN": "false"
        },
        "BoolIfExists": {
          "aws:ViaAWSService": "false"
        }
      }
    }
  ]
}`)
	const ec2 = "ec2:SourceInstanceARN"
	const inst = "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
	runEval(t, []evalCase{
		{"direct from the address", Set{Identity: []*Policy{ipOrService}}, req(t, userAlice, "s3:PutObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET3/x", "aws:ViaAWSService", "false", "aws:SourceIp", "203.0.113.0"), Allowed, ReasonIdentityAllows},
		{"direct from elsewhere", Set{Identity: []*Policy{ipOrService}}, req(t, userAlice, "s3:PutObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET3/x", "aws:ViaAWSService", "false", "aws:SourceIp", "203.0.113.1"), ImplicitDeny, ReasonNoIdentityAllow},
		{"through a service", Set{Identity: []*Policy{ipOrService}}, req(t, userAlice, "s3:PutObject", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/x", "aws:ViaAWSService", "true", "aws:SourceIp", "198.51.100.1"), Allowed, ReasonIdentityAllows},
		{"same VPC", Set{Identity: []*Policy{all, sameVPC}}, req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", ec2, inst, "aws:Ec2InstanceSourceVpc", "vpc-1", "aws:SourceVpc", "vpc-1", "aws:ViaAWSService", "false"), Allowed, ReasonIdentityAllows},
		{"other VPC", Set{Identity: []*Policy{all, sameVPC}}, req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", ec2, inst, "aws:Ec2InstanceSourceVpc", "vpc-1", "aws:SourceVpc", "vpc-2", "aws:ViaAWSService", "false"), ExplicitDeny, ReasonDenyIdentity},
		{"not an EC2 role", Set{Identity: []*Policy{all, sameVPC}}, req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", "aws:SourceVpc", "vpc-2", "aws:ViaAWSService", "false"), Allowed, ReasonIdentityAllows},
		{"through a service from another VPC", Set{Identity: []*Policy{all, sameVPC}}, req(t, sessionDev, "s3:GetObject", "arn:aws:s3:::b/k", ec2, inst, "aws:Ec2InstanceSourceVpc", "vpc-1", "aws:SourceVpc", "vpc-2", "aws:ViaAWSService", "true"), Allowed, ReasonIdentityAllows},
	})
}

// reference_policies_iam-condition-keys.md examples for IAM keys.
func TestDocIAMConditionKeys(t *testing.T) {
	slr := pol(t, TypeIdentity, "create-slr", `{
   "Version": "2012-10-17",
   "Statement": [{
       "Effect": "Allow",
       "Action": "iam:CreateServiceLinkedRole",
       "Resource": "*",
       "Condition": {
         "StringLike": {
           "iam:AWSServiceName": "access-analyzer.amazonaws.com"
         }
       }
     }]
 }`)
	terminated := pol(t, TypeIdentity, "delete-terminated", `{
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Action": "iam:DeleteUser",
        "Resource": "*",
        "Condition": {"StringEquals": {"iam:ResourceTag/status": "terminated"}}
    }]
}`)
	one := func(p *Policy) Set { return Set{Identity: []*Policy{p}} }
	runEval(t, []evalCase{
		{"service-linked role for Access Analyzer", one(slr), req(t, userAlice, "iam:CreateServiceLinkedRole", "*", "iam:AWSServiceName", "access-analyzer.amazonaws.com"), Allowed, ReasonIdentityAllows},
		{"service-linked role for another service", one(slr), req(t, userAlice, "iam:CreateServiceLinkedRole", "*", "iam:AWSServiceName", "ecs.amazonaws.com"), ImplicitDeny, ReasonNoIdentityAllow},
		{"delete a terminated user", one(terminated), req(t, userAlice, "iam:DeleteUser", userBob, "iam:ResourceTag/status", "terminated"), Allowed, ReasonIdentityAllows},
		{"delete an active user", one(terminated), req(t, userAlice, "iam:DeleteUser", userBob, "iam:ResourceTag/status", "active"), ImplicitDeny, ReasonNoIdentityAllow},
	})
}
