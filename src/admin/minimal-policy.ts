/**
 * The smallest complete policy, written by `init` only when the full example policy
 * (resources/default-policy.yaml) is not installed next to the tool. Its override hash is
 * of a random code nobody knows: IT must set their own with `classlock-admin override-hash`.
 */
export const MINIMAL_POLICY_YAML = `# Classlock policy. Edit, then: classlock-admin validate policy.yaml
# and: classlock-admin sign policy.yaml --key KEY --out policy.json
serial: 1
issuedAt: 2026-01-01T00:00:00Z
timeZone: Europe/London
organisation:
  name: Example School
  itContact: IT office, room 12
roleMapping:
  rules:
    - role: staff
      groups: [Staff]
    - role: visitor
      usernamePattern: "guest*"
  default: pupil
agreements:
  - id: pupil-aua
    roles: [pupil]
    version: 1
    title: Using the school computers
    body: |
      I will use only my own account and keep my password secret.
      I will tell a teacher straight away if I see something that upsets me.
    acknowledgement: checkbox
  - id: staff-aua
    roles: [staff, visitor]
    version: 1
    title: Staff and visitor acceptable use agreement
    body: |
      I will lock or log off this computer whenever I leave it.
    acknowledgement: typedName
    reacceptDays: 365
profiles:
  - id: classroom
    hostnames: ["CLASS-*"]
    timeouts:
      pupil: { warnSeconds: 60, lockSeconds: 600, logoffAfterLockSeconds: 1200 }
      staff: { warnSeconds: 30, lockSeconds: 180 }
      visitor: { warnSeconds: 30, lockSeconds: 300, logoffAfterLockSeconds: 600 }
    lockOsForStaff: true
  - id: lab
    hostnames: ["LAB-*"]
    timeouts:
      pupil: { warnSeconds: 60, lockSeconds: 600, logoffAfterLockSeconds: 1200 }
      staff: { warnSeconds: 30, lockSeconds: 300 }
      visitor: { warnSeconds: 30, lockSeconds: 300, logoffAfterLockSeconds: 600 }
defaultProfile: lab
unlock:
  methods:
    staff: [pin, override]
  pin: { minLength: 6, maxLength: 8, requireLetter: true, requireDigit: true, requireSymbol: true }
override:
  # Replace with the output of: classlock-admin override-hash
  hash: "scrypt$16384$8$1$U1DLAB6dFR7oaDxqrze/PQ==$HIZ1H/8q7wcGPTF2Ef7Pdi0jLyOL9TErjMUerBRAQeo="
sanctionSettings:
  contact: the IT office
  allowList: []
sanctions: []
`;
