using System.Net;
using System.Text;
using AmebaOta.Discovery.Dns;
using FsCheck;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Discovery;

/// <summary>
/// Property tests of the DNS message codec (FsCheck): any byte string parses or fails with <see cref="DnsFormatException"/>,
/// never anything else; and for valid messages, parse∘write is the identity (every label, byte and flag back, and the same
/// bytes when written again). <c>AMEBAOTA_PROPERTY_CASES</c> sets the cases per property (e.g. 100000 for a nightly-size
/// run); the normal suite runs <see cref="FastCases"/>.
/// </summary>
public class DnsParserProperties
{
    public const int FastCases = 2000;

    private static int Cases { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("AMEBAOTA_PROPERTY_CASES"), out int n) && n > 0 ? n : FastCases;

    private static void Check<T>(Gen<T> gen, Action<T> property) =>
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), Prop.ForAll(gen.ToArbitrary(), property));

    // ---- generators -------------------------------------------------------------------------------------------------

    private static readonly string[] LabelParts = ["a", "Z", "0", "-", "_", " ", ".", "\\", "é", "ü", "日", "😀", "(", ")", "=", "MyAmeba"];

    private static Gen<string> Label { get; } =
        Gen.Frequency(
            (1, Gen.Elements("local", "_tcp", "_udp", "_arduino", "_services", "_dns-sd", "LOCAL", "MyAmeba", "myameba")),
            (3, Gen.Elements(LabelParts).NonEmptyListOf().Select(parts => Trim(string.Concat(parts), DnsName.MaxLabelLength))));

    private static string Trim(string s, int maxBytes)
    {
        while (Encoding.UTF8.GetByteCount(s) > maxBytes) s = s[..^(char.IsLowSurrogate(s[^1]) ? 2 : 1)];
        return s;
    }

    private static Gen<DnsName> Name { get; } =
        from count in Gen.Choose(0, 4)
        from labels in Label.ArrayOf(count)
        from suffix in Gen.Elements(Array.Empty<string>(), ["local"], ["_arduino", "_tcp", "local"])
        let all = labels.Concat(suffix).ToArray()
        where all.Sum(l => 1 + Encoding.UTF8.GetByteCount(l)) + 1 <= DnsName.MaxWireLength
        select new DnsName(all);

    private static Gen<uint> Ttl { get; } = Gen.Frequency(
        (1, Gen.Elements(0u, 10u, 120u, 4500u, uint.MaxValue)),
        (2, Gen.Choose(int.MinValue, int.MaxValue).Select(v => unchecked((uint)v))));

    private static Gen<ushort> U16 { get; } = Gen.Choose(0, ushort.MaxValue).Select(v => (ushort)v);

    private static Gen<DnsClass> Class { get; } = Gen.Frequency((4, Gen.Constant(DnsClass.In)), (1, Gen.Choose(0, 0x7FFF).Select(v => (DnsClass)v)));

    private static Gen<byte[]> Bytes(int max) =>
        from length in Gen.Choose(0, max)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        select Fill(length, seed);

    private static byte[] Fill(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static readonly ushort[] KnownTypes = [1, 12, 16, 28, 33, 47];

    private static Gen<DnsRecord> Record { get; } =
        from name in Name
        from ttl in Ttl
        from flush in Gen.Elements(false, true)
        from cls in Class
        from kind in Gen.Choose(0, 6)
        from record in kind switch
        {
            0 => Bytes(4).Where(b => b.Length == 4).Select(b => (DnsRecord)new ARecord(name, ttl, new IPAddress(b), flush, cls)),
            1 => Bytes(16).Where(b => b.Length == 16).Select(b => (DnsRecord)new AaaaRecord(name, ttl, new IPAddress(b), flush, cls)),
            2 => Name.Select(target => (DnsRecord)new PtrRecord(name, ttl, target, flush, cls)),
            3 => from p in U16 from w in U16 from port in U16 from target in Name
                 select (DnsRecord)new SrvRecord(name, ttl, p, w, port, target, flush, cls),
            4 => Gen.Choose(1, 3).SelectMany(n => Bytes(100).ArrayOf(n)).Select(strings => (DnsRecord)new TxtRecord(name, ttl, strings, flush, cls)),
            5 => from next in Name
                 from types in Gen.Elements<ushort>(1, 12, 16, 28, 33, 47, 255, 256, 1000, 65535).ArrayOf()
                 select (DnsRecord)new NsecRecord(name, ttl, next, types.Distinct().Order().Select(t => (DnsRecordType)t).ToArray(), flush, cls),
            _ => from type in U16.Where(t => !KnownTypes.Contains(t))
                 from data in Bytes(100)
                 select (DnsRecord)new UnknownRecord(name, ttl, type, data, flush, cls),
        }
        select record;

    private static Gen<DnsQuestion> Question { get; } =
        from name in Name
        from type in Gen.Frequency((2, Gen.Elements(KnownTypes.Append((ushort)255).ToArray())), (1, U16))
        from cls in Class
        from qu in Gen.Elements(false, true)
        select new DnsQuestion(name, (DnsRecordType)type, cls, qu);

    private static Gen<DnsMessage> Message { get; } =
        from id in U16
        from flags in U16
        from qd in Gen.Choose(0, 4)
        from questions in Question.ListOf(qd)
        from an in Gen.Choose(0, 5)
        from answers in Record.ListOf(an)
        from ns in Gen.Choose(0, 3)
        from authorities in Record.ListOf(ns)
        from ar in Gen.Choose(0, 5)
        from additionals in Record.ListOf(ar)
        select new DnsMessage
        {
            Header = new DnsHeader(id, flags),
            Questions = [.. questions],
            Answers = [.. answers],
            Authorities = [.. authorities],
            Additionals = [.. additionals],
        };

    /// <summary>A written valid message with 1–8 hostile edits: a byte set, a truncation, a pointer aimed anywhere, a count changed.</summary>
    private static Gen<byte[]> Mutated { get; } =
        from message in Message
        from edits in Gen.Choose(1, 8)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        select Mutate(new DnsWriter().Write(message).ToArray(), edits, new Random(seed));

    private static byte[] Mutate(byte[] packet, int edits, Random random)
    {
        var bytes = packet.ToList();
        for (int i = 0; i < edits && bytes.Count > 0; i++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;
                case 2: bytes.InsertRange(at, [(byte)(0xC0 | random.Next(64)), (byte)random.Next(256)]); break;
                case 3: if (bytes.Count >= 12) bytes[4 + 2 * random.Next(4) + 1] = (byte)random.Next(256); break;
                default: bytes.Insert(at, (byte)random.Next(256)); break;
            }
        }
        return [.. bytes];
    }

    private static Gen<byte[]> AnyPacket { get; } = Gen.Frequency(
        (2, Bytes(600)),
        (1, from counts in Bytes(8) from body in Bytes(300) select (byte[])[0, 0, 0x84, 0, .. counts.Select(b => (byte)(b & 3)), .. new byte[8 - counts.Length], .. body]),
        (4, Mutated));

    // ---- properties -------------------------------------------------------------------------------------------------

    [Fact]
    public void Any_bytes_parse_or_fail_with_the_parsers_own_error_and_nothing_else()
    {
        Check(AnyPacket, bytes =>
        {
            try
            {
                var message = DnsReader.Read(bytes);
                Assert.True(message.Questions.Count + message.AllRecords.Count() <= bytes.Length);
            }
            catch (DnsFormatException)
            {
            }
        });
    }

    [Fact]
    public void A_valid_message_written_then_parsed_comes_back_whole_and_writes_the_same_bytes()
    {
        var writer = new DnsWriter();
        Check(Message, message =>
        {
            var bytes = writer.Write(message).ToArray();
            var parsed = DnsReader.Read(bytes);
            Assert.Equal(Describe(message), Describe(parsed));
            Assert.Equal(bytes, writer.Write(parsed).ToArray());
        });
    }

    /// <summary>Every field, labels compared exactly (case and all), record data as bytes.</summary>
    private static string Describe(DnsMessage m)
    {
        var sb = new StringBuilder($"{m.Header.Id:x4} {m.Header.Flags:x4}\n");
        foreach (var q in m.Questions) sb.Append($"Q {N(q.Name)} {(ushort)q.Type} {(ushort)q.Class} {q.UnicastResponse}\n");
        foreach (var (section, records) in new[] { ("AN", m.Answers), ("NS", m.Authorities), ("AR", m.Additionals) })
            foreach (var r in records)
                sb.Append($"{section} {r.GetType().Name} {N(r.Name)} {(ushort)r.Type} {(ushort)r.Class} {r.CacheFlush} {r.Ttl} {Data(r)}\n");
        return sb.ToString();
    }

    private static string N(DnsName name) => string.Join("\u241F", name.Labels);

    private static string Data(DnsRecord r) => r switch
    {
        ARecord a => a.Address.ToString(),
        AaaaRecord a => a.Address.ToString(),
        PtrRecord p => N(p.Target),
        SrvRecord s => $"{s.Priority} {s.Weight} {s.Port} {N(s.Target)}",
        TxtRecord t => string.Join(",", t.Strings.Select(Convert.ToHexString)),
        NsecRecord n => $"{N(n.NextName)} {string.Join(",", n.Types.Select(t => (ushort)t))}",
        UnknownRecord u => Convert.ToHexString(u.Data),
        _ => "?",
    };
}
