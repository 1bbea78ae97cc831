using System.Text;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Images;
using AmebaOta.Protocol.Http;
using AmebaOta.Protocol.OtaUi;
using FsCheck.Fluent;

namespace AmebaOta.Tests.Properties;

/// <summary>Properties of the OTA UI wire format and the AmebaPro2 manifest: round trips, and no input that throws.</summary>
public class OtaUiProperties
{
    private static FsCheck.Gen<string> Host { get; } =
        Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(Gen.Choose('!', '~').Select(c => (char)c), n)).Select(c => new string(c));

    private static FsCheck.Gen<OtaUiState> State { get; } = Gen.Elements(OtaUiStates.All.ToArray());

    [Fact]
    public void A_heartbeat_written_for_any_host_and_state_reads_back_whole_and_not_before()
    {
        var gen = from host in Host from state in State from cut in Gen.Choose(0, 200) select (host, state, cut);
        PropertyRuns.Check(gen.ToArbitrary(), c =>
        {
            var bytes = OtaUiHeartbeat.Request(c.host, c.state);
            Assert.Equal(OtaUiParse.Parsed, OtaUiHeartbeat.TryParseRequest(bytes, false, out var heartbeat, out int consumed, out _));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(c.host, heartbeat!.Host);
            Assert.Equal(c.state, heartbeat.State);
            int cut = Math.Min(c.cut, bytes.Length - 1);
            Assert.Equal(OtaUiParse.NeedMore, OtaUiHeartbeat.TryParseRequest(bytes.AsSpan(0, cut), false, out _, out _, out _));
        });
    }

    [Fact]
    public void Any_json_body_with_a_string_state_gives_that_state_whatever_surrounds_it()
    {
        var gen = from state in Gen.Elements("OTA_STATE_IDLE", "x", "", "é\"\\", "OTA_STATE_REBOOT")
                  from before in Gen.Elements("", "\"a\":1,", "\"b\":[1,{\"c\":null}], ", "\"OTA_state\":5,")
                  from after in Gen.Elements("", ",\"z\":true", " , \"y\" : \"OTA_STATE_IDLE\"")
                  from space in Gen.Elements("", " ", "\n\t")
                  select (state, before, after, space);
        PropertyRuns.Check(gen.ToArbitrary(), c =>
        {
            string json = "{" + c.space + c.before + "\"OTA_state\"" + c.space + ":" + c.space + System.Text.Json.JsonSerializer.Serialize(c.state, JsonStrings.Default.String) + c.after + c.space + "}";
            Assert.True(OtaUiHeartbeat.TryParseBody(Encoding.UTF8.GetBytes(json), out string? state, out string? error), error);
            Assert.Equal(c.state, state);
        });
    }

    [Fact]
    public void Any_bytes_are_a_heartbeat_more_bytes_needed_or_malformed_never_an_exception()
    {
        var prefix = Encoding.ASCII.GetBytes("POST /api/connectedclients HTTP/1.1\r\n");
        var gen = Gen.Frequency(
            (1, Generators.AnyBytes(2048)),
            (2, Generators.AnyBytes(512).Select(b => (byte[])[.. prefix, .. b])),
            (2, Generators.Mutated(State.Select(s => OtaUiHeartbeat.Request("10.0.0.1", s)), [0, 40, 100])));
        PropertyRuns.Check(Gen.Zip(gen, Gen.Elements(false, true)).ToArbitrary(), c =>
        {
            var result = OtaUiHeartbeat.TryParseRequest(c.Item1, c.Item2, out var heartbeat, out int consumed, out string? error);
            if (result == OtaUiParse.Parsed) Assert.InRange(consumed, 1, c.Item1.Length);
            if (result == OtaUiParse.Malformed) Assert.False(string.IsNullOrWhiteSpace(error));
            if (result != OtaUiParse.Parsed) Assert.Null(heartbeat);
        });
    }

    [Fact]
    public void Manifest_fields_written_read_back_and_any_damage_is_a_format_error_or_a_parsed_image()
    {
        var gen = from level in Gen.Choose(0, Pro2Version.MaxLevel)
                  from time in Gen.Choose(0, int.MaxValue).Select(t => (ulong)t * 3)
                  from version in Gen.Choose(0, 1000)
                  select (level, time, version);
        PropertyRuns.Check(gen.ToArbitrary(), c =>
        {
            var sketch = new SketchDescriptor((uint)c.version, Board: BoardKind.Rtl8735b, Mode: SketchMode.OtaHttp, Server: "h:1");
            var bytes = Pro2ImageBuilder.Build(new Pro2ImageOptions(sketch, c.level, c.time));
            var image = Pro2Image.Parse(bytes);
            Assert.Equal(new Pro2BuildStamp(c.level, c.time), image.Stamp);
            Assert.Equal(sketch, image.Sketch);
            Assert.Equal(704, image.Manifest.Fields.Sum(f => f.EncodedSize));
            Assert.Equal(14, image.Manifest.Fields.Count);
        }, cases: PropertyRuns.Fraction(5, 100));

        var damaged = Generators.Mutated(gen.Select(c => Pro2ImageBuilder.Build(new Pro2ImageOptions(
            new SketchDescriptor((uint)c.version, Board: BoardKind.Rtl8735b, Mode: SketchMode.OtaHttp, Server: "h:1"), c.level, c.time))),
            [0, 8, 0x120, 0x2A4, 0x2AC, 0x2D0, 0x1000]);
        PropertyRuns.Check(damaged.ToArbitrary(), bytes =>
        {
            try
            {
                var image = Pro2Image.Parse(bytes);
                _ = Pro2ImageCheck.Problems(image, new(2, 0x520000, 0x10000), new Pro2BuildStamp(1, 1));
                _ = image.Stamp.ToString();
            }
            catch (ImageFormatException e)
            {
                Assert.DoesNotContain('\n', e.Message);
            }
        }, cases: PropertyRuns.Fraction(5, 100));
    }

    [Fact]
    public void A_response_head_is_accepted_exactly_when_its_sdk_reads_a_200_and_a_length()
    {
        var gen = from status in Gen.Elements(200, 200, 200, 404, 500, 302, 301)
                  from name in Gen.Elements("Content-Length", "CONTENT-LENGTH", "content-length", "Content-length", "X-Length")
                  from length in Gen.Choose(0, 5_000_000)
                  from before in Gen.Elements("", "Content-Type: application/octet-stream\r\n", "Date: x\r\nVary: y\r\n")
                  from after in Gen.Elements("", "Connection: close\r\n")
                  from pro2 in Gen.Elements(false, true)
                  select (status, name, length, before, after, pro2);
        PropertyRuns.Check(gen.ToArbitrary(), c =>
        {
            var rules = c.pro2 ? SdkHttpHeadRules.AmebaPro2 : SdkHttpHeadRules.AmebaD;
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {c.status} {HttpResponseHead.Reason(c.status)}\r\n{c.before}{c.name}: {c.length}\r\n{c.after}\r\n");
            var verdict = rules.Check(head);
            bool expected = c.status == 200 && rules.ContentLengthNames.Contains(c.name) && c.length > 0;
            Assert.Equal(expected, verdict.Accepted);
            if (expected) Assert.Equal((uint)c.length, verdict.ContentLength);
        });
    }

    [Fact]
    public void Any_bytes_get_a_verdict_from_every_sdk_never_an_exception()
    {
        PropertyRuns.Check(Generators.AnyBytes(5000).ToArbitrary(), bytes =>
        {
            foreach (var rules in new[] { SdkHttpHeadRules.Ameba1, SdkHttpHeadRules.AmebaD, SdkHttpHeadRules.AmebaPro2 })
                Assert.False(string.IsNullOrEmpty(rules.Check(bytes).Reason));
        });
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonStrings : System.Text.Json.Serialization.JsonSerializerContext;
