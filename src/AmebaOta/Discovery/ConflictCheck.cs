using AmebaOta.Discovery.Dns;

namespace AmebaOta.Discovery;

/// <summary>How the responder decides a name is taken (RFC 6762 §8.1, §8.2, §9).</summary>
internal static class ConflictCheck
{
    /// <summary>
    /// A response conflicts when it holds a live record for one of our names whose data differs from ours for that name
    /// and type. Identical records (our own packet looped back, or a twin) are no conflict; NSEC is ignored.
    /// </summary>
    public static bool ResponseConflicts(DnsMessage response, ServiceRecords ours)
    {
        foreach (var record in response.AllRecords)
        {
            if (record.Ttl == 0 || record.Type == DnsRecordType.Nsec || !ours.Owns(record.Name)) continue;
            if (!ours.UniqueNamed(record.Name).Any(r => r.Type == record.Type && r.SameData(record))) return true;
        }
        return false;
    }

    /// <summary>
    /// Simultaneous probe tiebreak (§8.2): compare their proposed records for each of our names with ours, sorted by class,
    /// type and uncompressed data, lexicographically. True when theirs win (we must defer, wait 1 s and probe again).
    /// Identical sets (our own probe looped back) never lose.
    /// </summary>
    public static bool LosesTiebreak(DnsMessage probe, ServiceRecords ours)
    {
        foreach (var name in new[] { ours.InstanceName, ours.HostName })
        {
            var theirs = probe.Authorities.Where(r => r.Name == name).ToList();
            if (theirs.Count == 0) continue;
            int cmp = Compare(ours.UniqueNamed(name).ToList(), theirs);
            if (cmp < 0) return true;
        }
        return false;
    }

    private static int Compare(List<DnsRecord> ours, List<DnsRecord> theirs)
    {
        var writer = new DnsWriter(1024);
        var a = ours.Select(r => Key(writer, r)).Order(KeyComparer.Instance).ToList();
        var b = theirs.Select(r => Key(writer, r)).Order(KeyComparer.Instance).ToList();
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            int c = KeyComparer.Instance.Compare(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Count.CompareTo(b.Count);
    }

    private static byte[] Key(DnsWriter writer, DnsRecord r)
    {
        var data = writer.WriteRecordData(r);
        var key = new byte[4 + data.Length];
        key[0] = (byte)((ushort)r.Class >> 8); key[1] = (byte)r.Class;
        key[2] = (byte)((ushort)r.Type >> 8); key[3] = (byte)r.Type;
        data.CopyTo(key.AsSpan(4));
        return key;
    }

    private sealed class KeyComparer : IComparer<byte[]>
    {
        public static readonly KeyComparer Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
