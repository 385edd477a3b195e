package api

// registerSTS adds the STS operations beyond GetCallerIdentity.
func (s *Server) registerSTS(m map[string]queryHandler) {
}
