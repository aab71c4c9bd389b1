using System.Security.Cryptography.X509Certificates;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.ClientProxy.Security;
using DistCacheAkka.Messages.Settings;

namespace DistCacheAkka.Tests.Unit.Hosting;

// Mutual TLS settings (issue 16): `CacheNode dev-certs` makes a CA whose node and client certificates chain to it
// and to nothing else; the --tls-* flags turn distcache.tls on; a member with TLS on refuses to start, naming the
// setting and the file, when its certificate is missing, unreadable, without its key or not signed by its CA.
public sealed class TlsSettingsSpecs(TlsSettingsSpecs.Certificates certificates) : IClassFixture<TlsSettingsSpecs.Certificates>
{
    private readonly string _directory = certificates.Directory;
    private readonly (string Ca, string Node, string Client) _certs = certificates.Cluster;

    private static NodeSettings Node(string flags) =>
        NodeSettings.Create(NodeConfig.Build(null, "", flags));

    [Fact]
    public void Should_make_node_and_client_certificates_that_chain_to_their_CA_only()
    {
        var other = certificates.Other;
        using var ca = X509CertificateLoader.LoadCertificateFromFile(_certs.Ca);
        using var otherCa = X509CertificateLoader.LoadCertificateFromFile(other.Ca);
        using var node = X509CertificateLoader.LoadPkcs12FromFile(_certs.Node, "s3cret");
        using var client = X509CertificateLoader.LoadPkcs12FromFile(_certs.Client, "s3cret");

        Assert.True(node.HasPrivateKey && client.HasPrivateKey);
        Assert.True(TlsMaterial.Chains(node, ca, out _));
        Assert.True(TlsMaterial.Chains(client, ca, out _));
        Assert.False(TlsMaterial.Chains(node, otherCa, out var why));
        Assert.NotEmpty(why);
    }

    [Fact]
    public void Should_turn_TLS_on_with_the_flags()
    {
        var run = Assert.IsType<RunNode>(CommandLine.Parse(["--tls-cert", _certs.Node, "--tls-cert-password", "s3cret", "--tls-ca", _certs.Ca]));

        var tls = Node(run.OverridesHocon).Tls;

        Assert.NotNull(tls);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.NotNull(tls.Validator());
        Assert.Null(Node("").Tls);
    }

    [Fact]
    public void Should_refuse_a_certificate_that_is_missing_unreadable_keyless_or_from_another_CA()
    {
        var keyless = Path.Combine(_directory, $"keyless-{Guid.NewGuid():N}.pfx");
        using (var ca = X509CertificateLoader.LoadCertificateFromFile(_certs.Ca))
            File.WriteAllBytes(keyless, ca.Export(X509ContentType.Pkcs12));
        var other = certificates.Other;
        string Tls(string cert, string password = "s3cret", string? ca = null) =>
            $"distcache.tls {{ enabled = on, certificate-path = \"{cert}\", certificate-password = \"{password}\", ca-certificate-path = \"{ca ?? _certs.Ca}\" }}";

        string Refusal(string hocon) => Assert.Throws<DistCacheConfigurationException>(() => Node(hocon)).Message;

        Assert.Contains("`distcache.tls.certificate-path` is empty", Refusal("distcache.tls.enabled = on"));
        Assert.Contains("\"/no/such.pfx\", which does not exist", Refusal(Tls("/no/such.pfx")));
        Assert.Contains("cannot be read as a PKCS#12 file with the configured password", Refusal(Tls(_certs.Node, "wrong")));
        Assert.Contains("cannot be read as a PKCS#12 file", Refusal(Tls(_certs.Ca)));
        Assert.Contains("holds a certificate without its private key", Refusal(Tls(keyless, "")));
        Assert.Contains("is not signed by the CA in `distcache.tls.ca-certificate-path`", Refusal(Tls(other.Node, "")));
        Assert.Contains("`distcache.tls.ca-certificate-path` names \"/no/ca.crt\", which does not exist", Refusal(Tls(_certs.Node, ca: "/no/ca.crt")));
    }

    [Theory]
    [InlineData(new[] { "--tls-cert", "/no/node.pfx" }, "--tls-cert names '/no/node.pfx', which does not exist")]
    [InlineData(new[] { "--tls-ca", "/no/ca.crt" }, "--tls-ca names '/no/ca.crt', which does not exist")]
    [InlineData(new[] { "dev-certs" }, "dev-certs needs --out DIR")]
    [InlineData(new[] { "dev-certs", "--out", "x", "--days", "0" }, "--days is '0'")]
    public void Should_name_the_problem_in_TLS_options(string[] args, string expected) =>
        Assert.Contains(expected, Assert.IsType<UsageError>(CommandLine.Parse(args)).Message);

    /// <summary>Two CAs with their certificates, made once for the class (RSA key generation is slow).</summary>
    public sealed class Certificates : IDisposable
    {
        public string Directory { get; } = Path.Combine(Path.GetTempPath(), $"distcache-tls-unit-{Guid.NewGuid():N}");

        public (string Ca, string Node, string Client) Cluster { get; }

        public (string Ca, string Node, string Client) Other { get; }

        public Certificates()
        {
            Cluster = DevCertificates.Create(Path.Combine(Directory, "a"), password: "s3cret");
            Other = DevCertificates.Create(Path.Combine(Directory, "b"));
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
