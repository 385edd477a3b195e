package api

// registerIAMPolicies adds the IAM operations for managed policies and versions, inline policies, attachments.
func (s *Server) registerIAMPolicies(m map[string]queryHandler) {
}
