package api

// registerIAMRoles adds the IAM operations for roles (beyond CreateRole/GetRole), role tags, permissions boundaries, instance profiles and service-linked roles.
func (s *Server) registerIAMRoles(m map[string]queryHandler) {
}
