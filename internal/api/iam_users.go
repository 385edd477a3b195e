package api

// registerIAMUsers adds the IAM operations for users, groups, access keys, account-wide reports and the policy simulator.
func (s *Server) registerIAMUsers(m map[string]queryHandler) {
}
