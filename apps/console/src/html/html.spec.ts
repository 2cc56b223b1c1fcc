import { escapeHtml, html, path, trustedHtml } from './html';

describe('html templates', () => {
  it('escapes every interpolated value: markup, quotes and backticks from a service or a user stay text', () => {
    const name = `<script>alert("x")</script>' onmouseover='y' \``;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y&#39; &#96;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;y&#39; &#96;</p>',
    );
  });

  it('nests fragments without escaping them twice, renders lists item by item and skips null, undefined and false', () => {
    const items = ['a&b', '<c>'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>a&amp;b</li><li>&lt;c&gt;</li></ul>0');
    expect(html`${trustedHtml('<br>')}`.value).toBe('<br>');
    expect(escapeHtml('&amp;')).toBe('&amp;amp;');
  });

  it('builds paths with each segment encoded, so a reference cannot leave its segment', () => {
    expect(path(['subjects', 'a/b?c#d'])).toBe('/subjects/a%2Fb%3Fc%23d');
    expect(path(['alerts'], { status: 'open', kind: '', cursor: undefined })).toBe('/alerts?status=open');
    expect(path(['alerts'], { kind: 'a&b=c' })).toBe('/alerts?kind=a%26b%3Dc');
  });
});
