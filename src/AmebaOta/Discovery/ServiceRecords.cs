using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>
/// The records one advertised service owns under a given (possibly renamed) instance and host label: PTR (shared), SRV,
/// TXT, A and the NSECs saying which types exist (unique, cache-flush). TTLs as RFC 6762 §10 recommends: 120 s for records
/// naming a host (SRV, A), 4500 s for the rest.
/// </summary>
internal sealed class ServiceRecords
{
    public const uint HostTtl = 120;
    public const uint OtherTtl = 4500;
    public static readonly DnsName ServicesName = DnsName.Parse("_services._dns-sd._udp.local");

    public ServiceRecords(ServiceAdvertisement advertisement, string instanceLabel, string hostLabel)
    {
        InstanceLabel = instanceLabel;
        HostLabel = hostLabel;
        TypeName = TypeNameOf(advertisement.ServiceType);
        InstanceName = TypeName.Prepend(instanceLabel);
        HostName = new DnsName(hostLabel, ArduinoService.Domain);
        Ptr = new PtrRecord(TypeName, OtherTtl, InstanceName);
        ServicesPtr = new PtrRecord(ServicesName, OtherTtl, TypeName);
        Srv = new SrvRecord(InstanceName, HostTtl, 0, 0, advertisement.Port, HostName);
        Txt = TxtRecord.FromPairs(InstanceName, OtherTtl, advertisement.Txt);
        A = new ARecord(HostName, HostTtl, advertisement.Address);
        InstanceNsec = new NsecRecord(InstanceName, OtherTtl, InstanceName, [DnsRecordType.Txt, DnsRecordType.Srv]);
        HostNsec = new NsecRecord(HostName, HostTtl, HostName, [DnsRecordType.A]);
    }

    public static DnsName TypeNameOf(string serviceType) => DnsName.Parse(serviceType).Append(new DnsName(ArduinoService.Domain));

    public string InstanceLabel { get; }
    public string HostLabel { get; }
    public DnsName TypeName { get; }
    public DnsName InstanceName { get; }
    public DnsName HostName { get; }
    public PtrRecord Ptr { get; }
    public PtrRecord ServicesPtr { get; }
    public SrvRecord Srv { get; }
    public TxtRecord Txt { get; }
    public ARecord A { get; }
    public NsecRecord InstanceNsec { get; }
    public NsecRecord HostNsec { get; }

    /// <summary>The records only this responder may hold (probed for, cache-flush set).</summary>
    public IReadOnlyList<DnsRecord> Unique => [Srv, Txt, A];

    /// <summary>Probe (RFC 6762 §8.1): "ANY" questions for the instance and host names, the proposed records in the authority section.</summary>
    public DnsMessage Probe(bool unicastResponse) => new()
    {
        Header = DnsHeader.Query,
        Questions = [new DnsQuestion(InstanceName, DnsRecordType.Any, DnsClass.In, unicastResponse), new DnsQuestion(HostName, DnsRecordType.Any, DnsClass.In, unicastResponse)],
        Authorities = [Srv with { CacheFlush = false }, Txt with { CacheFlush = false }, A with { CacheFlush = false }],
    };

    /// <summary>Announcement (RFC 6762 §8.3): every record, unsolicited.</summary>
    public DnsMessage Announcement() => new()
    {
        Header = DnsHeader.Response,
        Answers = [Ptr, Srv, Txt, A],
        Additionals = [InstanceNsec, HostNsec],
    };

    /// <summary>Goodbye (RFC 6762 §10.1): the same records with TTL 0.</summary>
    public DnsMessage Goodbye() => new()
    {
        Header = DnsHeader.Response,
        Answers = [Ptr.WithTtl(0), Srv.WithTtl(0), Txt.WithTtl(0), A.WithTtl(0)],
    };

    /// <summary>True when <paramref name="name"/> is one this service claims (instance or host name).</summary>
    public bool Owns(DnsName name) => name == InstanceName || name == HostName;

    public IEnumerable<DnsRecord> UniqueNamed(DnsName name) => Unique.Where(r => r.Name == name);
}
