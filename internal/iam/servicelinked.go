package iam

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/uuid"
)

// Service-linked roles: roles that an AWS service owns. IAM names them after
// the service, keeps them under /aws-service-role/<service>/, trusts only
// the service to assume them, attaches the service's AWS managed policy and
// refuses changes except to the description (protectedRole). They are
// deleted with DeleteServiceLinkedRole, which answers a deletion task.

// linkedService is what IAM knows about a service that has a service-linked
// role.
type linkedService struct {
	Principal string // the AWSServiceName, e.g. ecs.amazonaws.com
	RoleName  string // AWSServiceRoleFor...
	Policy    string // AWS managed policy name, under /aws-service-role/
	// SuffixAllowed says whether CreateServiceLinkedRole takes a
	// CustomSuffix for the service.
	SuffixAllowed bool
}

// linkedServices lists the services rolecall can create service-linked
// roles for.
//
// Sources: the entries from accountdiscovery.ssm to wafv2 are recorded from
// AWS (reference/aws-responses/iam__test_iam.snapshot.json,
// TestIAMServiceRoles: role name, path, trust policy and attached policy of
// each service, and which services accept or refuse a CustomSuffix). The
// last three are the other services the ECS permissions in the seeds let
// principals create service-linked roles for (seeds/004, the
// iam:CreateServiceLinkedRole statement of AmazonECS_FullAccess); their role
// and policy names are AWS's documented ones and every policy is in the
// embedded catalog (TestLinkedServicePoliciesInCatalog). Whether they accept
// a CustomSuffix is not recorded; like most services, they refuse one here.
//
// Left out although recorded: lex.amazonaws.com (AWSServiceRoleForLexBots),
// whose policy AmazonLexBotPolicy is not in the embedded catalog, so the
// role could not carry it.
var linkedServices = []linkedService{
	{"accountdiscovery.ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM_AccountDiscovery", "AWSSystemsManagerAccountDiscoveryServicePolicy", false},
	{"acm.amazonaws.com", "AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy", false},
	{"appmesh.amazonaws.com", "AWSServiceRoleForAppMesh", "AWSAppMeshServiceRolePolicy", false},
	{"autoscaling-plans.amazonaws.com", "AWSServiceRoleForAutoScalingPlans_EC2AutoScaling", "AWSAutoScalingPlansEC2AutoScalingPolicy", false},
	{"autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy", true},
	{"backup.amazonaws.com", "AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup", false},
	{"batch.amazonaws.com", "AWSServiceRoleForBatch", "BatchServiceRolePolicy", false},
	{"cassandra.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_CassandraTable", "AWSApplicationAutoscalingCassandraTablePolicy", false},
	{"cks.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceCustomKeyStores", "AWSKeyManagementServiceCustomKeyStoresServiceRolePolicy", false},
	{"cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy", false},
	{"codestar-notifications.amazonaws.com", "AWSServiceRoleForCodeStarNotifications", "AWSCodeStarNotificationsServiceRolePolicy", false},
	{"config.amazonaws.com", "AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy", false},
	{"connect.amazonaws.com", "AWSServiceRoleForAmazonConnect", "AmazonConnectServiceLinkedRolePolicy", true},
	{"dms-fleet-advisor.amazonaws.com", "AWSServiceRoleForDMSFleetAdvisor", "AWSDMSFleetAdvisorServiceRolePolicy", false},
	{"dms.amazonaws.com", "AWSServiceRoleForDMSServerless", "AWSDMSServerlessServiceRolePolicy", false},
	{"docdb-elastic.amazonaws.com", "AWSServiceRoleForDocDB-Elastic", "AmazonDocDB-ElasticServiceRolePolicy", false},
	{"ec2-instance-connect.amazonaws.com", "AWSServiceRoleForEc2InstanceConnect", "Ec2InstanceConnectEndpoint", false},
	{"ec2.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest", "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy", false},
	{"ecr.amazonaws.com", "AWSServiceRoleForECRTemplate", "ECRTemplateServiceRolePolicy", false},
	{"ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy", false},
	{"eks-connector.amazonaws.com", "AWSServiceRoleForAmazonEKSConnector", "AmazonEKSConnectorServiceRolePolicy", false},
	{"eks-fargate.amazonaws.com", "AWSServiceRoleForAmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy", false},
	{"eks-nodegroup.amazonaws.com", "AWSServiceRoleForAmazonEKSNodegroup", "AWSServiceRoleForAmazonEKSNodegroup", false},
	{"eks.amazonaws.com", "AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy", false},
	{"elasticache.amazonaws.com", "AWSServiceRoleForElastiCache", "ElastiCacheServiceRolePolicy", false},
	{"elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy", false},
	{"elasticfilesystem.amazonaws.com", "AWSServiceRoleForAmazonElasticFileSystem", "AmazonElasticFileSystemServiceRolePolicy", false},
	{"elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy", false},
	{"email.cognito-idp.amazonaws.com", "AWSServiceRoleForAmazonCognitoIdpEmailService", "AmazonCognitoIdpEmailServiceRolePolicy", false},
	{"emr-containers.amazonaws.com", "AWSServiceRoleForAmazonEMRContainers", "AmazonEMRContainersServiceRolePolicy", false},
	{"emrwal.amazonaws.com", "AWSServiceRoleForEMRWAL", "EMRDescribeClusterPolicyForEMRWAL", false},
	{"fis.amazonaws.com", "AWSServiceRoleForFIS", "AmazonFISServiceRolePolicy", false},
	{"grafana.amazonaws.com", "AWSServiceRoleForAmazonGrafana", "AmazonGrafanaServiceLinkedRolePolicy", false},
	{"imagebuilder.amazonaws.com", "AWSServiceRoleForImageBuilder", "AWSServiceRoleForImageBuilder", false},
	{"iotmanagedintegrations.amazonaws.com", "AWSServiceRoleForIoTManagedIntegrations", "AWSIoTManagedIntegrationsRolePolicy", false},
	{"kafka.amazonaws.com", "AWSServiceRoleForKafka", "KafkaServiceRolePolicy", false},
	{"kafkaconnect.amazonaws.com", "AWSServiceRoleForKafkaConnect", "KafkaConnectServiceRolePolicy", false},
	{"lakeformation.amazonaws.com", "AWSServiceRoleForLakeFormationDataAccess", "LakeFormationDataAccessServiceRolePolicy", false},
	{"lexv2.amazonaws.com", "AWSServiceRoleForLexV2Bots", "AmazonLexV2BotPolicy", true},
	{"lightsail.amazonaws.com", "AWSServiceRoleForLightsail", "LightsailExportAccess", false},
	{"m2.amazonaws.com", "AWSServiceRoleForAWSM2", "AWSM2ServicePolicy", false},
	{"memorydb.amazonaws.com", "AWSServiceRoleForMemoryDB", "MemoryDBServiceRolePolicy", false},
	{"mq.amazonaws.com", "AWSServiceRoleForAmazonMQ", "AmazonMQServiceRolePolicy", false},
	{"mrk.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceMultiRegionKeys", "AWSKeyManagementServiceMultiRegionKeysServiceRolePolicy", false},
	{"notifications.amazonaws.com", "AWSServiceRoleForAwsUserNotifications", "AWSUserNotificationsServiceLinkedRolePolicy", false},
	{"observability.aoss.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchServerless", "AmazonOpenSearchServerlessServiceRolePolicy", false},
	{"opensearchservice.amazonaws.com", "AWSServiceRoleForAmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy", false},
	{"ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy", false},
	{"ops.emr-serverless.amazonaws.com", "AWSServiceRoleForAmazonEMRServerless", "AmazonEMRServerlessServiceRolePolicy", false},
	{"opsdatasync.ssm.amazonaws.com", "AWSServiceRoleForSystemsManagerOpsDataSync", "AWSSystemsManagerOpsDataSyncServiceRolePolicy", false},
	{"opsinsights.ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM_OpsInsights", "AWSSSMOpsInsightsServiceRolePolicy", false},
	{"pullthroughcache.ecr.amazonaws.com", "AWSServiceRoleForECRPullThroughCache", "AWSECRPullThroughCache_ServiceRolePolicy", false},
	{"ram.amazonaws.com", "AWSServiceRoleForResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy", false},
	{"rds.amazonaws.com", "AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy", false},
	{"redshift.amazonaws.com", "AWSServiceRoleForRedshift", "AmazonRedshiftServiceLinkedRolePolicy", false},
	{"replication.cassandra.amazonaws.com", "AWSServiceRoleForKeyspacesReplication", "KeyspacesReplicationServiceRolePolicy", false},
	{"replication.ecr.amazonaws.com", "AWSServiceRoleForECRReplication", "ECRReplicationServiceRolePolicy", false},
	{"repository.sync.codeconnections.amazonaws.com", "AWSServiceRoleForGitSync", "AWSGitSyncServiceRolePolicy", false},
	{"resource-explorer-2.amazonaws.com", "AWSServiceRoleForResourceExplorer", "AWSResourceExplorerServiceRolePolicy", false},
	{"rolesanywhere.amazonaws.com", "AWSServiceRoleForRolesAnywhere", "AWSRolesAnywhereServicePolicy", false},
	{"s3-outposts.amazonaws.com", "AWSServiceRoleForS3OnOutposts", "AWSS3OnOutpostsServiceRolePolicy", false},
	{"ses.amazonaws.com", "AWSServiceRoleForAmazonSES", "AmazonSESServiceRolePolicy", false},
	{"shield.amazonaws.com", "AWSServiceRoleForAWSShield", "AWSShieldServiceRolePolicy", false},
	{"ssm-incidents.amazonaws.com", "AWSServiceRoleForIncidentManager", "AWSIncidentManagerServiceRolePolicy", false},
	{"ssm-quicksetup.amazonaws.com", "AWSServiceRoleForSSMQuickSetup", "SSMQuickSetupRolePolicy", false},
	{"ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy", false},
	{"sso.amazonaws.com", "AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy", false},
	{"vpcorigin.cloudfront.amazonaws.com", "AWSServiceRoleForCloudFrontVPCOrigin", "AWSCloudFrontVPCOriginServiceRolePolicy", false},
	{"waf.amazonaws.com", "AWSServiceRoleForWAFLogging", "WAFLoggingServiceRolePolicy", false},
	{"wafv2.amazonaws.com", "AWSServiceRoleForWAFV2Logging", "WAFV2LoggingServiceRolePolicy", false},
	// From the seeds (AmazonECS_FullAccess may create these).
	{"ecs.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_ECSService", "AWSApplicationAutoscalingECSServicePolicy", false},
	{"spot.amazonaws.com", "AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy", false},
	{"spotfleet.amazonaws.com", "AWSServiceRoleForEC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy", false},
}

// linkedServiceByPrincipal indexes linkedServices. Service principals are
// case-sensitive.
var linkedServiceByPrincipal = func() map[string]*linkedService {
	m := make(map[string]*linkedService, len(linkedServices))
	for i := range linkedServices {
		m[linkedServices[i].Principal] = &linkedServices[i]
	}
	return m
}()

// CreateServiceLinkedRoleInput is CreateServiceLinkedRole's request.
type CreateServiceLinkedRoleInput struct {
	AWSServiceName string
	Description    string
	CustomSuffix   string
}

// serviceTrustPolicy is the trust policy of a service-linked role.
func serviceTrustPolicy(principal string) string {
	b, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": principal},
			"Action":    "sts:AssumeRole",
		}},
	})
	return string(b)
}

// CreateServiceLinkedRole creates the service-linked role of a service,
// with the service's managed policy attached.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, c Caller, in CreateServiceLinkedRoleInput) (*Role, error) {
	if err := validateName("aWSServiceName", in.AWSServiceName, 128); err != nil {
		return nil, err
	}
	if in.CustomSuffix != "" {
		if err := validateName("customSuffix", in.CustomSuffix, 64); err != nil {
			return nil, err
		}
	}
	if err := checkRoleDescription(in.Description); err != nil {
		return nil, err
	}
	svc, ok := linkedServiceByPrincipal[in.AWSServiceName]
	if !ok {
		// AWS's wording for a service without service-linked roles is not
		// recorded.
		return nil, awserr.InvalidInput("Service %s does not support service-linked roles.", in.AWSServiceName)
	}
	if in.CustomSuffix != "" && !svc.SuffixAllowed {
		return nil, awserr.InvalidInput("Custom suffix is not allowed for %s", in.AWSServiceName)
	}
	name := svc.RoleName
	if in.CustomSuffix != "" {
		name += "_" + in.CustomSuffix
	}
	if len(name) > maxRoleNameLen {
		return nil, constraint("customSuffix", "Member must have length less than or equal to "+strconv.Itoa(maxRoleNameLen-len(svc.RoleName)-1))
	}
	path := serviceRolePathPrefix + svc.Principal + "/"
	policyARN := "arn:" + s.Partition + ":iam::aws:policy" + serviceRolePathPrefix + svc.Policy
	r := &Role{
		Account:            c.Account,
		Path:               path,
		Name:               name,
		ID:                 NewID("AROA"),
		ARN:                s.arn(c.Account, "role", path, name),
		CreateDate:         s.Now(),
		AssumeRolePolicy:   serviceTrustPolicy(svc.Principal),
		Description:        in.Description,
		MaxSessionDuration: defaultSessionSeconds,
		AttachedPolicies:   []string{policyARN},
		ServiceLinked:      svc.Principal,
	}
	err := s.update(ctx, func(tx store.Tx) error {
		err := s.insertRole(tx, r)
		if errors.Is(err, store.ErrExists) {
			return awserr.InvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		if err != nil {
			return err
		}
		return s.adjustPolicyUsage(tx, c.Account, policyARN, +1, 0)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// slrTask is a service-linked role deletion task. rolecall deletes the role
// at once, so every task it keeps has succeeded.
type slrTask struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

const slrTaskPrefix = "task/aws-service-role/"

func slrTaskKey(acct, uuid string) string { return "iam/" + acct + "/slr-deletion-task/" + uuid }

// DeleteServiceLinkedRole deletes a service-linked role with its policies
// and answers the ID of the (already finished) deletion task:
// task/aws-service-role/<service>/<role>/<uuid>.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, c Caller, roleName string) (string, error) {
	if err := validateName("roleName", roleName, maxRoleNameLen); err != nil {
		return "", err
	}
	var taskID string
	err := s.update(ctx, func(tx store.Tx) error {
		r, err := s.readRole(tx, c.Account, roleName)
		if err != nil {
			return err
		}
		if r.ServiceLinked == "" {
			// Not recorded; DeleteServiceLinkedRole's documented errors
			// leave NoSuchEntity as the one that fits.
			return awserr.NoSuchEntity("The service-linked role with name %s cannot be found.", roleName)
		}
		for _, a := range r.AttachedPolicies {
			if err := s.adjustPolicyUsage(tx, c.Account, a, -1, 0); err != nil {
				if e, ok := awserr.As(err); !ok || e.Code != "NoSuchEntity" {
					return err
				}
			}
		}
		profiles, err := getNamed[InstanceProfile](tx, r.InstanceProfiles, func(name string) string { return profileKey(c.Account, name) })
		if err != nil {
			return err
		}
		for _, p := range profiles {
			p.Roles = dropName(p.Roles, r.Name)
			if err := put(tx, profileKey(c.Account, p.Name), p); err != nil {
				return err
			}
		}
		if r.PermissionsBoundary != "" {
			if err := s.releaseBoundary(tx, c.Account, r.PermissionsBoundary); err != nil {
				return err
			}
		}
		if err := adjustCount(tx, c.Account, "roles", rolePrefix(c.Account), -1, 0, ""); err != nil {
			return err
		}
		if err := tx.Delete(roleKey(c.Account, r.Name)); err != nil {
			return err
		}
		id := uuid.New()
		taskID = slrTaskPrefix + r.ServiceLinked + "/" + r.Name + "/" + id
		return put(tx, slrTaskKey(c.Account, id), &slrTask{ID: taskID, Status: "SUCCEEDED"})
	})
	if err != nil {
		return "", err
	}
	return taskID, nil
}

// DeletionStatus is GetServiceLinkedRoleDeletionStatus's answer.
type DeletionStatus struct {
	Status string // SUCCEEDED | IN_PROGRESS | FAILED | NOT_STARTED
}

// GetServiceLinkedRoleDeletionStatus reports on a deletion task.
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, c Caller, taskID string) (*DeletionStatus, error) {
	if taskID == "" {
		return nil, constraint("deletionTaskId", "Member must have length greater than or equal to 1")
	}
	if len(taskID) > 1000 {
		return nil, constraint("deletionTaskId", "Member must have length less than or equal to 1000")
	}
	// task/aws-service-role/<service>/<role>/<uuid>
	parts := strings.Split(strings.TrimPrefix(taskID, slrTaskPrefix), "/")
	if !strings.HasPrefix(taskID, slrTaskPrefix) || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		// Not recorded: AWS documents InvalidInput for this operation.
		return nil, awserr.InvalidInput("Invalid deletion task id: %s", taskID)
	}
	var out *DeletionStatus
	err := s.view(ctx, func(r store.Reader) error {
		t, _, err := get[slrTask](r, slrTaskKey(c.Account, parts[2]))
		if isNotFound(err) || (err == nil && t.ID != taskID) {
			return awserr.NoSuchEntity("Deletion task %s cannot be found.", taskID)
		}
		if err != nil {
			return err
		}
		out = &DeletionStatus{Status: t.Status}
		return nil
	})
	return out, err
}
