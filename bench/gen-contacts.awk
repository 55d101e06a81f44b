# CSV of contacts for bench/import.sh: deterministic, about 97 bytes a row, 10 columns (7 standard:
# Email, First Name, Last Name, Company, Title, Phone, Timezone; 3 custom: City, Industry, Lead Score;
# one company in ten is quoted because it holds a comma).
#
#   awk -v mode=base -v rows=N -f bench/gen-contacts.awk >base.csv
#       N rows, contact numbers 1..N: all emails distinct.
#   awk -v mode=incoming -v rows=N -v offset=M -f bench/gen-contacts.awk >incoming.csv
#       N rows. Every 20th row (N/20 rows, 5 %) repeats the email of an earlier row: half of them one
#       of the last 2,000 distinct emails (mostly the same 10,000-row chunk of the importer), half
#       any earlier one. The other rows take distinct emails u = 1, 2, …: odd u is contact number u,
#       a contact of the base file (an update when the base file was imported first, as long as
#       u <= its rows), even u is the new contact number M + u. With U = N - N/20 distinct emails:
#       ceil(U/2) updates, floor(U/2) new contacts, N/20 duplicates.
#
# Contact number n gives the same row every time (names, company, … derived from a hash of n);
# emails are lower case and sort in no particular order relative to n.

function hash(n) { return (n * 2654435761) % 4294967296 }   # Knuth's multiplicative hash; exact in doubles for n < 3.4e6 (still deterministic above)

function row(n, variant,   h, f, l, ci, dom, comp, z) {
  h = hash(n)
  f = F[h % nf + 1]; l = L[int(h / 64) % nl + 1]; ci = int(h / 4096) % nc + 1
  dom = tolower(C[ci]) (int(h / 262144) % 100)
  comp = (h % 10 == 3) ? "\"" C[ci] ", Inc.\"" : C[ci]
  z = n % nz + 1
  printf "%s%s%d@%s.com,%s,%s,%s,%s,+1555%06d,%s,%s,%s,%d\n", tolower(substr(f, 1, 1)), tolower(l), n, dom, f, l, comp,
    T[int(h / 16777216) % nt + 1], h % 1000000, Z[z], Y[z], I[(n + variant) % ni + 1], 1 + int(h / 1024) % 99
}

BEGIN {
  if (mode != "base" && mode != "incoming") { print "gen-contacts.awk: mode must be base or incoming" > "/dev/stderr"; exit 2 }
  if (rows + 0 < 1) { print "gen-contacts.awk: rows must be >= 1" > "/dev/stderr"; exit 2 }
  nf = split("Ada Grace Alan Linus Barbara Ken Margaret Dennis Frances John Radia Tim Sophie Edsger Hedy Donald Anita Leslie Niklaus Guido Bjarne James Brian Shafi", F, " ")
  nl = split("Lovelace Hopper Turing Torvalds Liskov Thompson Hamilton Ritchie Allen Backus Perlman Lee Wilson Dijkstra Lamarr Knuth Borg Lamport Wirth Rossum Kay Gosling Kernighan Hoare", L, " ")
  nc = split("Northwind Contoso Initech Globex Umbrella Hooli Vandelay Soylent Tyrell Cyberdyne Wonka Stark Wayne Acme Oscorp Pied", C, " ")
  nt = split("CEO CTO COO Founder VP_Sales Head_of_Growth Engineer Marketing_Lead", T, " ")
  for (i = 1; i <= nt; i++) gsub(/_/, " ", T[i])
  nz = split("Europe/Paris Asia/Tokyo Europe/Rome Asia/Dubai Europe/Oslo America/Lima Asia/Seoul Africa/Cairo", Z, " ")
  split("Paris Tokyo Rome Dubai Oslo Lima Seoul Cairo", Y, " ")
  ni = split("SaaS Fintech Retail Health Logistics Media Energy Security", I, " ")

  print "Email,First Name,Last Name,Company,Title,Phone,Timezone,City,Industry,Lead Score"
  if (mode == "base") {
    for (n = 1; n <= rows; n++) row(n, 0)
    exit
  }
  u = 0
  for (i = 1; i <= rows; i++) {
    if (i % 20 == 0) {
      h = hash(i)
      v = (h % 2) ? u - int(h / 2) % (u < 2000 ? u : 2000) : 1 + int(h / 2) % u
      row(v % 2 ? v : offset + v, 1)
    } else {
      u++
      row(u % 2 ? u : offset + u, 0)
    }
  }
}
