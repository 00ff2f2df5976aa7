/**
 * The scorecard as a form (评分卡): its factors (what each reads, its group, weight and bins of points) and its grades
 * (the lowest score of each, the maximum limit, terms, prepayment or guarantee, review interval). The API checks the
 * whole (weights add up to 100, bins in order, grades down to score 0) and names the field of any problem, shown on it.
 */
import { useState } from 'react';
import { App as AntApp, Alert, Button, Card, Col, Drawer, Form, Input, InputNumber, Row, Select, Space, Switch, Typography } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, newIdempotencyKey } from '../../api/client.ts';
import { ErrorAlert } from '../../shared/components.tsx';
import type { Scorecard } from './types.ts';

const INPUTS = [
  'currentRatio', 'quickRatio', 'cashRatio', 'debtRatio', 'interestCoverage', 'zScore', 'averageDaysBeyondTerms', 'lateShare', 'trendDays',
  'reversedPayments', 'brokenPromises', 'disputes', 'externalRating', 'yearsInBusiness', 'reputation', 'industryRisk', 'insured',
] as const;
const GROUPS = ['financial', 'behavioural', 'external', 'qualitative'] as const;
const LIMIT_KINDS = ['fixed', 'equityPercent', 'salesPercent'] as const;

interface BinFields { type: 'min' | 'equals'; value: string; points: number }
interface FactorFields { key: string; input: string; group: string; weight: number; missingPoints: number; bins: BinFields[] }
interface GradeFields { grade: string; minScore: number; limitKind: (typeof LIMIT_KINDS)[number]; amount?: string; percent?: number; termsCode: string; prepayment: boolean; guarantee: boolean; reviewMonths: number }
interface Fields { factors: FactorFields[]; grades: GradeFields[] }

function toFields(s: Scorecard): Fields {
  return {
    factors: s.factors.map((f) => ({ ...f, bins: f.bins.map((b) => (b.equals !== undefined ? { type: 'equals' as const, value: b.equals, points: b.points } : { type: 'min' as const, value: b.min ?? '', points: b.points })) })),
    grades: s.grades.map((g) => ({
      grade: g.grade, minScore: g.minScore, limitKind: g.limit.kind, ...(g.limit.kind === 'fixed' ? { amount: g.limit.amount } : { percent: g.limit.percent }),
      termsCode: g.termsCode, prepayment: g.prepayment, guarantee: g.guarantee, reviewMonths: g.reviewMonths,
    })),
  };
}

function toScorecard(v: Fields): Scorecard {
  return {
    factors: (v.factors ?? []).map((f) => ({
      key: f.key?.trim() ?? '', input: f.input, group: f.group, weight: f.weight ?? 0, missingPoints: f.missingPoints ?? 0,
      bins: (f.bins ?? []).map((b) => (b.type === 'equals' ? { equals: b.value?.trim() ?? '', points: b.points ?? 0 } : { min: b.value?.trim() ?? '', points: b.points ?? 0 })),
    })),
    grades: (v.grades ?? []).map((g) => ({
      grade: g.grade?.trim() ?? '', minScore: g.minScore ?? 0,
      limit: g.limitKind === 'fixed' ? { kind: 'fixed', amount: g.amount?.trim() ?? '' } : { kind: g.limitKind, percent: g.percent ?? 0 },
      termsCode: g.termsCode?.trim() ?? '', prepayment: !!g.prepayment, guarantee: !!g.guarantee, reviewMonths: g.reviewMonths ?? 12,
    })),
  };
}

/** The API's field path (body.factors.2.bins.0.min, grades.1.limit.amount) as this form's field name. */
function fieldOf(path: string): (string | number)[] | null {
  const p = path.replace(/^body\./, '').split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  if (p[0] === 'factors' && typeof p[1] === 'number') {
    if (p[2] === 'bins' && typeof p[3] === 'number') return ['factors', p[1], 'bins', p[3], p[4] === 'points' ? 'points' : 'value'];
    return p[2] ? ['factors', p[1], p[2]!] : null;
  }
  if (p[0] === 'grades' && typeof p[1] === 'number') {
    if (p[2] === 'limit') return ['grades', p[1], p[3] === 'percent' ? 'percent' : p[3] === 'kind' ? 'limitKind' : 'amount'];
    return p[2] ? ['grades', p[1], p[2]!] : null;
  }
  return null;
}

export function ScorecardButton({ scorecard }: { scorecard: Scorecard }) {
  const { t } = useTranslation('credit');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<Fields>();
  const factors = Form.useWatch('factors', form) as FactorFields[] | undefined;
  const grades = Form.useWatch('grades', form) as GradeFields[] | undefined;
  const weights = (factors ?? []).reduce((sum, f) => sum + (Number.isInteger(f?.weight) ? f.weight : 0), 0);
  const save = useMutation({
    mutationFn: (v: Fields) => api.put('/credit/scorecard', toScorecard(v), newIdempotencyKey()),
    onSuccess: () => {
      setOpen(false);
      void message.success(t('edit.saved'));
      void client.invalidateQueries({ queryKey: ['credit'] });
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return;
      const fields = error.details.flatMap((d) => {
        const name = d.field ? fieldOf(d.field) : null;
        return name ? [{ name, errors: [d.message] }] : [];
      });
      if (fields.length) form.setFields(fields as never);
    },
  });
  const required = { required: true, message: t('edit.required') };
  return (
    <>
      <Button onClick={() => { form.setFieldsValue(toFields(scorecard)); save.reset(); setOpen(true); }}>{t('edit.editScorecard')}</Button>
      <Drawer open={open} title={t('edit.scorecardTitle')} size="large" width={980} onClose={() => setOpen(false)} destroyOnHidden
        extra={<Space><Button onClick={() => setOpen(false)}>{t('scoreForm.cancel')}</Button><Button type="primary" loading={save.isPending} onClick={() => form.submit()}>{t('edit.save')}</Button></Space>}>
        {save.error ? <div style={{ marginBottom: 12 }}><ErrorAlert error={save.error} ns="credit" /></div> : null}
        <Alert type={weights === 100 ? 'success' : 'warning'} showIcon style={{ marginBottom: 12 }} message={t('scoreForm.weights', { total: weights })} />
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} requiredMark={false}>
          <Typography.Title level={5}>{t('scoreForm.factors')}</Typography.Title>
          <Form.List name="factors">
            {(rows, { add, remove }) => (
              <>
                {rows.map((row) => (
                  <Card key={row.key} size="small" style={{ marginBottom: 8 }}
                    title={t(`input.${factors?.[row.name]?.input ?? ''}`, { defaultValue: factors?.[row.name]?.key ?? '' })}
                    extra={<Button type="text" danger icon={<MinusCircleOutlined />} onClick={() => remove(row.name)}>{t('scoreForm.removeFactor')}</Button>}>
                    <Row gutter={8}>
                      <Col span={6}><Form.Item name={[row.name, 'input']} label={t('scoreForm.input')} rules={[required]}><Select showSearch options={INPUTS.map((i) => ({ value: i, label: t(`input.${i}`) }))} /></Form.Item></Col>
                      <Col span={5}><Form.Item name={[row.name, 'key']} label={t('scoreForm.key')} rules={[required]}><Input maxLength={40} /></Form.Item></Col>
                      <Col span={5}><Form.Item name={[row.name, 'group']} label={t('scorecard.group')} rules={[required]}><Select options={GROUPS.map((g) => ({ value: g, label: t(`factorGroup.${g}`) }))} /></Form.Item></Col>
                      <Col span={4}><Form.Item name={[row.name, 'weight']} label={t('scorecard.weight')} rules={[required]}><InputNumber min={0} max={100} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
                      <Col span={4}><Form.Item name={[row.name, 'missingPoints']} label={t('scoreForm.missingPoints')} rules={[required]}><InputNumber min={0} max={100} precision={0} style={{ width: '100%' }} /></Form.Item></Col>
                    </Row>
                    <Form.List name={[row.name, 'bins']}>
                      {(bins, binOps) => (
                        <>
                          {bins.map((bin) => (
                            <Space key={bin.key} align="baseline" wrap>
                              <Form.Item name={[bin.name, 'type']} noStyle><Select style={{ width: 130 }} aria-label={t('scoreForm.binType')} options={[{ value: 'min', label: t('scoreForm.from') }, { value: 'equals', label: t('scoreForm.equals') }]} /></Form.Item>
                              <Form.Item name={[bin.name, 'value']} rules={[required]}><Input style={{ width: 140 }} aria-label={t('scoreForm.binValue')} placeholder="1.5 / good / AA" /></Form.Item>
                              <span>→</span>
                              <Form.Item name={[bin.name, 'points']} rules={[required]}><InputNumber min={0} max={100} precision={0} aria-label={t('scoreForm.points')} addonAfter={t('scoreForm.pointsUnit')} style={{ width: 140 }} /></Form.Item>
                              <Button type="text" aria-label={t('form.remove')} icon={<MinusCircleOutlined />} onClick={() => binOps.remove(bin.name)} />
                            </Space>
                          ))}
                          <Button size="small" type="dashed" icon={<PlusOutlined />} onClick={() => binOps.add({ type: 'min', value: '', points: 0 })}>{t('scoreForm.addBin')}</Button>
                        </>
                      )}
                    </Form.List>
                  </Card>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ input: 'currentRatio', key: `factor${rows.length + 1}`, group: 'financial', weight: 0, missingPoints: 50, bins: [{ type: 'min', value: '-999999', points: 0 }] })} style={{ marginBottom: 16 }}>{t('scoreForm.addFactor')}</Button>
              </>
            )}
          </Form.List>
          <Typography.Title level={5}>{t('scorecard.grades')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('scoreForm.gradesHint')}</Typography.Paragraph>
          <Form.List name="grades">
            {(rows, { add, remove }) => (
              <>
                {rows.map((row) => (
                  <Row gutter={8} key={row.key} align="top">
                    <Col span={2}><Form.Item name={[row.name, 'grade']} label={row.name === 0 ? t('scorecard.grade') : undefined} rules={[required]}><Input maxLength={8} aria-label={t('scorecard.grade')} /></Form.Item></Col>
                    <Col span={3}><Form.Item name={[row.name, 'minScore']} label={row.name === 0 ? t('scorecard.minScore') : undefined} rules={[required]}><InputNumber min={0} max={100} precision={0} aria-label={t('scorecard.minScore')} style={{ width: '100%' }} /></Form.Item></Col>
                    <Col span={4}><Form.Item name={[row.name, 'limitKind']} label={row.name === 0 ? t('scorecard.limit') : undefined}><Select aria-label={t('scorecard.limit')} options={LIMIT_KINDS.map((k) => ({ value: k, label: t(`scoreForm.limit.${k}`) }))} /></Form.Item></Col>
                    <Col span={4}>
                      {grades?.[row.name]?.limitKind === 'fixed'
                        ? <Form.Item name={[row.name, 'amount']} label={row.name === 0 ? t('scoreForm.amountOrPercent') : undefined} rules={[required]}><Input placeholder="50000.00" aria-label={t('scoreForm.amount')} /></Form.Item>
                        : <Form.Item name={[row.name, 'percent']} label={row.name === 0 ? t('scoreForm.amountOrPercent') : undefined} rules={[required]}><InputNumber min={0} max={1000} precision={0} addonAfter="%" aria-label={t('scoreForm.percent')} style={{ width: '100%' }} /></Form.Item>}
                    </Col>
                    <Col span={3}><Form.Item name={[row.name, 'termsCode']} label={row.name === 0 ? t('scorecard.terms') : undefined} rules={[required]}><Input aria-label={t('scorecard.terms')} /></Form.Item></Col>
                    <Col span={2}><Form.Item name={[row.name, 'prepayment']} label={row.name === 0 ? t('assess.prepayment') : undefined} valuePropName="checked"><Switch size="small" /></Form.Item></Col>
                    <Col span={2}><Form.Item name={[row.name, 'guarantee']} label={row.name === 0 ? t('assess.guarantee') : undefined} valuePropName="checked"><Switch size="small" /></Form.Item></Col>
                    <Col span={3}><Form.Item name={[row.name, 'reviewMonths']} label={row.name === 0 ? t('scorecard.review') : undefined} rules={[required]}><InputNumber min={1} max={60} precision={0} aria-label={t('scorecard.review')} style={{ width: '100%' }} /></Form.Item></Col>
                    <Col span={1} style={{ paddingTop: row.name === 0 ? 30 : 4 }}><Button type="text" aria-label={t('form.remove')} icon={<MinusCircleOutlined />} onClick={() => remove(row.name)} /></Col>
                  </Row>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ grade: '', minScore: 0, limitKind: 'fixed', amount: '0.00', termsCode: 'NET30', prepayment: true, guarantee: false, reviewMonths: 3 })}>{t('scoreForm.addGrade')}</Button>
              </>
            )}
          </Form.List>
        </Form>
      </Drawer>
    </>
  );
}
