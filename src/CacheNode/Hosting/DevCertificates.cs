using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DistCacheAkka.CacheNode.Hosting;

/// <summary>
/// <c>CacheNode dev-certs --out DIR</c>: a development CA and certificates signed by it, for trying mutual TLS
/// (<c>distcache.tls</c>) on one machine. Made with .NET's own <see cref="CertificateRequest"/>, so no openssl is
/// needed. Writes <c>ca.crt</c> (PEM, the CA every member trusts), <c>node.pfx</c> (for the data nodes) and
/// <c>client.pfx</c> (for applications), RSA 2048 / SHA-256, valid for server and client authentication, with
/// localhost, 127.0.0.1 and ::1 as subject alternative names. The CA's private key is not kept: run it again for
/// new certificates. Not for production: a real deployment's CA and keys come from its own PKI.
/// </summary>
internal static class DevCertificates
{
    public const string Usage = """
        Usage:
          CacheNode dev-certs --out DIR [--password PASSWORD] [--days N]

        Writes DIR/ca.crt, DIR/node.pfx and DIR/client.pfx (PKCS#12, protected by PASSWORD if given), valid N days
        (default 365). Then: CacheNode --tls-cert DIR/node.pfx --tls-ca DIR/ca.crt ... and, in the client,
        DistCacheClientOptions.Tls = new() { CertificatePath = "DIR/client.pfx", CaCertificatePath = "DIR/ca.crt" }.
        """;

    /// <summary>Writes the CA and the node and client certificates to <paramref name="directory"/>; returns the paths.</summary>
    public static (string Ca, string Node, string Client) Create(string directory, string? password = null, int days = 365)
    {
        Directory.CreateDirectory(directory);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore.AddDays(days);

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest($"CN=DistCacheAkka development CA {Guid.NewGuid():N}", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        var caPath = Path.Combine(directory, "ca.crt");
        File.WriteAllText(caPath, ca.ExportCertificatePem());
        var nodePath = Path.Combine(directory, "node.pfx");
        var clientPath = Path.Combine(directory, "client.pfx");
        File.WriteAllBytes(nodePath, Issue(ca, caKey, "CN=distcache-node", notBefore, notAfter, password));
        File.WriteAllBytes(clientPath, Issue(ca, caKey, "CN=distcache-client", notBefore, notAfter, password));
        return (caPath, nodePath, clientPath);
    }

    private static byte[] Issue(X509Certificate2 ca, RSA caKey, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, string? password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        // Members are both servers (they accept connections) and clients (they open them).
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        using var signed = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return withKey.Export(X509ContentType.Pkcs12, password);
    }
}
