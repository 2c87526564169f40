"""A throwaway certificate authority and a server certificate it signs, for loopback TLS in tests.

`make_certificates(folder)` writes ca.pem (what a client is told to trust), cert.pem and key.pem
(what the server presents, valid for 127.0.0.1, ::1 and localhost plus any extra host names) and
returns their paths. Nothing is added to the machine's trust store. Test-only.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Certificates:
	ca: Path
	cert: Path
	key: Path


def make_certificates(folder: Path, hosts: tuple[str, ...] = ()) -> Certificates:
	"""A CA and a server certificate for loopback (and `hosts`), written under `folder`."""
	folder.mkdir(parents=True, exist_ok=True)
	now = datetime.datetime.now(datetime.UTC)
	ca_key = ec.generate_private_key(ec.SECP256R1())
	ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "FAC test CA")])
	ca = (
		_builder(ca_name, ca_name, ca_key, now)
		.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
		.add_extension(
			x509.KeyUsage(
				digital_signature=True,
				key_cert_sign=True,
				crl_sign=True,
				content_commitment=False,
				key_encipherment=False,
				data_encipherment=False,
				key_agreement=False,
				encipher_only=False,
				decipher_only=False,
			),
			critical=True,
		)
		.sign(ca_key, hashes.SHA256())
	)
	key = ec.generate_private_key(ec.SECP256R1())
	names = [x509.DNSName("localhost"), *(x509.DNSName(host) for host in hosts)]
	names += [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.IPAddress(ipaddress.ip_address("::1"))]
	cert = (
		_builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), ca_name, key, now)
		.add_extension(x509.SubjectAlternativeName(names), critical=False)
		.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
		.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
		.sign(ca_key, hashes.SHA256())
	)
	paths = Certificates(folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
	paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
	paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
	paths.key.write_bytes(
		key.private_bytes(
			serialization.Encoding.PEM,
			serialization.PrivateFormat.PKCS8,
			serialization.NoEncryption(),
		)
	)
	paths.key.chmod(0o600)
	return paths


def _builder(subject: x509.Name, issuer: x509.Name, key, now: datetime.datetime) -> x509.CertificateBuilder:
	return (
		x509.CertificateBuilder()
		.subject_name(subject)
		.issuer_name(issuer)
		.public_key(key.public_key())
		.serial_number(x509.random_serial_number())
		.not_valid_before(now - datetime.timedelta(minutes=5))
		.not_valid_after(now + datetime.timedelta(days=1))
	)
